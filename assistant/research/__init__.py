"""The research workflow over the whole corpus rather than a top-k, built on the answer layer: how
often a topic is mentioned per year or city (trends), and every cited paragraph on it as a report
(digest). Where a topic is mentioned and when it came up first and last are answer modes
(assistant/answer/mentions.py, timeline.py)."""
