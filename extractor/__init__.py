"""newsfacts: turn economic and trade news into browsable, explainable facts.

Data flows one way: fetch -> parse -> extract -> normalize -> store -> serve.
"""

__version__ = "0.1.0"
