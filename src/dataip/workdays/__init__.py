"""The working-day calendar of mainland China: statutory holidays and adjusted working days."""
