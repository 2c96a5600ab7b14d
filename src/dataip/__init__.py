"""dataip: data intellectual-property registration platform (数据知识产权存证登记平台)."""

__version__ = "0.1.0"
