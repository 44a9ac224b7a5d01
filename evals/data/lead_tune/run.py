"""Ask the lead's tune questions on a throwaway store; see README.md."""

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    os.environ["ARTICLE_ASSISTANT_DATA_DIR"] = tempfile.mkdtemp()
    from assistant import Assistant

    rows = [line.rstrip("\n").split("|") for line in Path(sys.argv[1]).read_text().splitlines() if line]
    assistant = Assistant()
    ids = {}
    for key in sorted({row[0] for row in rows}):
        path = next(HERE.glob(f"{key}_*.txt"))
        ids[key] = assistant.add_file(path).article.id
    for key, question, gold in rows:
        answer = assistant.ask(question, article=ids[key])
        first = answer.text.strip().splitlines()[0][:90] if answer.text.strip() else ""
        ok = "?" if gold == "-" else ("OK" if gold.lower() in answer.text.lower()[:200] else "XX")
        print(f"{answer.mode:8} {ok} {answer.confidence:.2f} | {question} | {first}")


if __name__ == "__main__":
    main()
