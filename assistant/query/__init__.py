"""Understanding a question: the plan (language, cities, years, follow-ups), English terms, places,
and the Query record that every later stage reads."""

from assistant.query.build import Concept, Query, build_query
from assistant.query.plan import QueryPlan, plan_query

__all__ = ["Concept", "Query", "QueryPlan", "build_query", "plan_query"]
