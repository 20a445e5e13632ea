"""`provisioner preview-summary`: `pulumi preview --json` in, a pull-request comment out.

    pulumi preview --stack prod --json > preview.json
    provisioner preview-summary preview.json --stack prod > comment.md

Reads the masked JSON `pulumi preview --json` prints, or its event stream
(PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1), which also carries policy violations. Never pass
--show-secrets: the summary does not need it and never prints a password either way.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preview-summary", help="turn `pulumi preview --json` into a markdown comment",
                       description="Summarise `pulumi preview --json` as markdown for a pull request: "
                                   "counts, one table per product, the fields that change; secrets never shown.")
    p.add_argument("file", nargs="?", default="-", help="the JSON preview ('-' or omitted: stdin)")
    p.add_argument("--stack", help="stack name for the heading")
    p.add_argument("--max-chars", type=int, default=None,
                   help="upper bound of the comment's length (default 65536, GitHub's limit)")
    p.add_argument("--output", "-o", help="write here instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from provisioner.review.changes import load, parse
    from provisioner.review.markdown import COMMENT_LIMIT, render

    try:
        text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
        preview = load(text)
    except (OSError, ValueError) as exc:
        # Never echo the input: it is a preview, and a careless --show-secrets one would hold passwords.
        print(f"preview-summary: cannot read a JSON preview from {args.file}: {type(exc).__name__}", file=sys.stderr)
        return 2
    if not isinstance(preview, dict) or "steps" not in preview:
        print("preview-summary: the input has no 'steps': is it the output of `pulumi preview --json`?",
              file=sys.stderr)
        return 2
    markdown = render(parse(preview), stack=args.stack, limit=args.max_chars or COMMENT_LIMIT)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(markdown)
    else:
        sys.stdout.write(markdown)
    return 0
