"""The research workflow over the whole corpus rather than a top-k: where a topic is mentioned
(mentions), when it came up first and last (timeline), how often per year or city (trends), and every
cited paragraph on it as a report (digest)."""
