"""Which part of serving holds on to memory? Runs one path alone in this process on a copy of an index
and prints the resident memory as it goes:

    python -m evaluation.memory_probe api DATA_DIR      # answers through the Gradio API (gradio_client)
    python -m evaluation.memory_probe upload DATA_DIR   # ingest a new speech, ask, remove it; repeated

A per-request leak grows with the count; allocator arenas and caches settle.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
from pathlib import Path

from evaluation.soak import CONVERSATIONS, free_port, rss_mb, upload_texts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", choices=["api", "upload"])
    parser.add_argument("data_dir", help="an index to copy (it is not changed)")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()

    from assistant.answer.pipeline import Assistant
    from vectorstore.index import Index
    from vectorstore.sync import sync_paths

    data = Path(tempfile.mkdtemp(prefix="speechqa-probe-")) / "data"
    shutil.copytree(args.data_dir, data)
    index = Index(data)
    assistant = Assistant(index)
    assistant.warm_up()
    pid = os.getpid()
    print(f"{args.path} start {rss_mb(pid):.0f} MiB", flush=True)
    if args.path == "api":
        from gradio_client import Client

        from assistant.app.ui import build_app

        app = build_app(assistant)
        port = free_port()
        app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        for round_ in range(args.rounds):
            for i in range(150):
                conversation = CONVERSATIONS[i % len(CONVERSATIONS)]
                client.predict(conversation[-1], list(conversation[:-1]), [], [], "", "", api_name="/ask")
            gc.collect()
            print(f"api {150 * (round_ + 1)} answers {rss_mb(pid):.0f} MiB", flush=True)
        app.close()
        return
    folder = Path(tempfile.mkdtemp(prefix="speechqa-probe-uploads-"))
    texts = upload_texts(seed=3)
    for round_ in range(args.rounds):
        for k in range(5):
            _, text = next(texts)
            path = folder / f"{round_}-{k}.txt"
            path.write_text(text, encoding="utf-8")
            sync_paths(index, [path], progress=False)
            assistant.ask("项目建设有什么要求？")
            for row in index.catalog.documents():
                if row.source == str(path.resolve()):
                    index.remove(row.doc_id)
            assistant.ask("项目建设有什么要求？")
        gc.collect()
        print(f"upload {5 * (round_ + 1)} cycles {rss_mb(pid):.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
