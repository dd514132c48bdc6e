"""The edges: the CLI, the Gradio UI and its HTML, Markdown rendering, batch answering. They build
settings, open the index (context.py), call the Assistant and print or render; errors are turned into
one-line messages here and nowhere below."""
