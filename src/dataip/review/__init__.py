"""The examiners' review desk (pages): queues, the review page, decisions."""
