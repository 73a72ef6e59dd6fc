#!/usr/bin/env python3
"""Jinja2 on the same three templates and data as benches/render.rs, for comparison.

    python3 benches/jinja2_peer.py      (needs jinja2; timeit, best of 5)

Prints microseconds per render for big-table (100x100), teams and fortunes, with
autoescape on, as the Rust benchmark renders them.
"""
import os
import timeit

import jinja2

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "bench")

BIG_TABLE = "<table>\n{% for row in table %}\n<tr>{% for col in row %}<td>{{ col }}</td>{% endfor %}</tr>\n{% endfor %}\n</table>"
TEAMS = "<html>\n  <head>\n    <title>{{ year }}</title>\n  </head>\n  <body>\n    <h1>CSL {{ year }}</h1>\n    <ul>\n    {% for team in teams %}\n      <li class=\"{% if loop.first %}champion{% endif %}\">\n      <b>{{ team.name }}</b>: {{ team.score }}\n      </li>\n    {% endfor %}\n    </ul>\n  </body>\n</html>"


def read(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


def main():
    env = jinja2.Environment(
        loader=jinja2.DictLoader({
            "big-table.html": BIG_TABLE,
            "teams.html": TEAMS,
            "base.html": read("base.html"),
            "fortunes.html": read("fortunes.html"),
        }),
        autoescape=True,
    )
    fortunes = [
        (1, "fortune: No such file or directory"),
        (2, "A computer scientist is someone who fixes things that aren't broken."),
        (3, "After enough decimal places, nobody gives a damn."),
        (4, "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
        (5, "A computer program does what you tell it to do, not what you want it to do."),
        (6, "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen"),
        (7, "Any program that runs right is obsolete."),
        (8, "A list is only as strong as its weakest link. \u2014 Donald Knuth"),
        (9, "Feature: A bug with seniority."),
        (10, "Computers make very fast, very accurate mistakes."),
        (11, "<script>alert(\"This should not be displayed in a browser alert box.\");</script>"),
        (12, "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af"),
        (0, "Additional fortune added at request time."),
    ]
    fortunes = sorted(({"id": i, "message": m} for i, m in fortunes), key=lambda f: f["message"])
    cases = [
        ("big-table.html", {"table": [list(range(100)) for _ in range(100)]}, 20),
        ("teams.html", {"year": 2015, "teams": [{"name": n, "score": s} for n, s in [("Jiangsu", 43), ("Beijing", 27), ("Guangzhou", 22), ("Shandong", 12)]]}, 20000),
        ("fortunes.html", {"fortunes": fortunes}, 5000),
    ]
    print(f"Jinja2 {jinja2.__version__}, autoescape on, best of 5")
    for name, data, number in cases:
        template = env.get_template(name)
        template.render(**data)
        best = min(timeit.repeat(lambda: template.render(**data), number=number, repeat=5)) / number
        print(f"{name:16} {best * 1e6:10.2f} us/render")


if __name__ == "__main__":
    main()
