#!/usr/bin/env python3
"""Records Jinja2's output for the Carafe filter test cases.

Run with a Jinja2 3.1 install:  python3 tests/jinja2/gen_cases.py > tests/fixtures/jinja2-cases.json
Each case is rendered by Jinja2 (the `jinja` template) and the Rust test renders the
`tera` template with the same context through carafe-templating and compares.
"""
import datetime
import json
import sys

import jinja2

CASES = []


def case(name, jinja, tera, context=None, autoescape=False):
    CASES.append(dict(name=name, jinja=jinja, tera=tera, context=context or {}, autoescape=autoescape))


# tojson
data = {"b": [1, 2.5, None, True], "a": "<script>'x' & \"y\"</script>", "é": "naïve ✓ 𝄞", "n": {"z": 1, "y": {}}, "e": []}
case("tojson", "{{ d|tojson }}", "{{ d | tojson }}", {"d": data}, autoescape=True)
case("tojson-indent", "{{ d|tojson(2) }}", "{{ d | tojson(indent=2) }}", {"d": data}, autoescape=True)
case("tojson-scalars", "{{ 1.0|tojson }} {{ 1e20|tojson }} {{ 0.00001|tojson }} {{ 'a\nb\t'|tojson }} {{ none|tojson }}",
     "{{ 1.0 | tojson }} {{ f | tojson }} {{ g | tojson }} {{ 'a\nb\t' | tojson }} {{ none | tojson }}",
     {"f": 1e20, "g": 0.00001})
case("tojson-in-attribute", "<a data-x='{{ d|tojson }}'>", "<a data-x='{{ d | tojson }}'>", {"d": {"q": "it's"}}, autoescape=True)

# urlencode
case("urlencode-string", "{{ s|urlencode }}", "{{ s | urlencode }}", {"s": "a b/c?d=é&f~g_h.i-j"})
case("urlencode-map", "{{ d|urlencode }}", "{{ d | urlencode }}", {"d": {"q": "a b", "lang": "fr/be", "n": 3}})
case("urlencode-pairs", "{{ p|urlencode }}", "{{ p | urlencode }}", {"p": [["b", "2 3"], ["a", "&"]]})
case("urlencode-number", "{{ 42|urlencode }}", "{{ 42 | urlencode }}")

# filesizeformat
for n in [0, 1, 2, 999, 1000, 1023, 1024, 1500, 1_000_000, 123_456_789, 10**24, 10**27, 5.5]:
    case(f"filesizeformat-{n}", "{{ n|filesizeformat }} {{ n|filesizeformat(true) }}",
         "{{ n | filesizeformat }} {{ n | filesizeformat(binary=true) }}", {"n": n})

# wordwrap
text = "The quick brown fox jumps over the lazy dog. A well-known state-of-the-art supercalifragilisticexpialidocious word.\n\nSecond   paragraph here."
for width in [10, 20, 79]:
    case(f"wordwrap-{width}", f"{{{{ t|wordwrap({width}) }}}}", f"{{{{ t | wordwrap(width={width}) }}}}", {"t": text})
case("wordwrap-wrapstring", "{{ t|wordwrap(15, wrapstring='<br>') }}", "{{ t | wordwrap(width=15, wrapstring='<br>') }}", {"t": text})
case("wordwrap-no-break-long", "{{ t|wordwrap(8, break_long_words=false) }}", "{{ t | wordwrap(width=8, break_long_words=false) }}", {"t": text})
case("wordwrap-no-hyphens", "{{ t|wordwrap(12, break_on_hyphens=false) }}", "{{ t | wordwrap(width=12, break_on_hyphens=false) }}", {"t": text})
case("wordwrap-leading-space", "{{ t|wordwrap(5) }}", "{{ t | wordwrap(width=5) }}", {"t": "   abc def ghi"})

# striptags
case("striptags", "{{ h|striptags }}", "{{ h | striptags }}",
     {"h": "<p>Hello <b>World</b>!</p>\n<!-- a <comment> -->  Tom &amp; Jerry &lt;3 &#65;&#x42;\t&copy; <br/>end <unclosed"})

# center
for width, s in [(10, "abc"), (11, "abc"), (10, "abcd"), (9, "abcd"), (2, "abcd")]:
    case(f"center-{width}-{s}", f"[{{{{ s|center({width}) }}}}]", f"[{{{{ s | center(width={width}) }}}}]", {"s": s})

# format
case("format", "{{ '%s has %d items, %.2f%% done, %5s|%-5s|%05d|%x|%X|%o|%+d|%e' | format('Ada', 3, 42.4567, 'r', 'l', 42, 255, 255, 8, 5, 12345.678) }}",
     "{{ '%s has %d items, %.2f%% done, %5s|%-5s|%05d|%x|%X|%o|%+d|%e' | format(args=['Ada', 3, 42.4567, 'r', 'l', 42, 255, 255, 8, 5, 12345.678]) }}")

# xmlattr
case("xmlattr", "<ul{{ d|xmlattr }}>", "<ul{{ d | xmlattr }}>", {"d": {"class": "my list", "missing": None, "id": "list-<1>", "data-x": "\"q\""}}, autoescape=True)
case("xmlattr-no-autospace", "<ul {{ d|xmlattr(false) }}>", "<ul {{ d | xmlattr(autospace=false) }}>", {"d": {"a": 1, "b": "x"}}, autoescape=True)

# forceescape / e
case("forceescape", "{{ s|safe|forceescape }} {{ s|e }} {{ s|safe|e }}", "{{ s | safe | forceescape }} {{ s | e }} {{ s | safe | e }}", {"s": "<a href='x'>&</a>"}, autoescape=True)

# dictsort
d = {"b": 1, "A": 3, "c": 2, "a": 0}
case("dictsort", "{% for k, v in d|dictsort %}{{ k }}={{ v }};{% endfor %}", "{% for p in d | dictsort %}{{ p[0] }}={{ p[1] }};{% endfor %}", {"d": d})
case("dictsort-case", "{% for k, v in d|dictsort(true) %}{{ k }}={{ v }};{% endfor %}", "{% for p in d | dictsort(case_sensitive=true) %}{{ p[0] }}={{ p[1] }};{% endfor %}", {"d": d})
case("dictsort-value-reverse", "{% for k, v in d|dictsort(false, 'value', true) %}{{ k }}={{ v }};{% endfor %}", "{% for p in d | dictsort(by='value', reverse=true) %}{{ p[0] }}={{ p[1] }};{% endfor %}", {"d": d})

# groupby
users = [{"name": "a", "city": "NY"}, {"name": "b", "city": "CA"}, {"name": "c", "city": "ca"}, {"name": "d", "city": "NY"}, {"name": "e"}]
case("groupby", "{% for g in u|groupby('city', default='?') %}{{ g.grouper }}:{% for x in g.list %}{{ x.name }}{% endfor %};{% endfor %}",
     "{% for g in u | groupby(attribute='city', default='?') %}{{ g.grouper }}:{% for x in g.list %}{{ x.name }}{% endfor %};{% endfor %}", {"u": users})
case("groupby-case", "{% for g in u|groupby('city', default='?', case_sensitive=true) %}{{ g.grouper }}:{{ g.list|length }};{% endfor %}",
     "{% for g in u | groupby(attribute='city', default='?', case_sensitive=true) %}{{ g.grouper }}:{{ g.list | length }};{% endfor %}", {"u": users})

# batch / slice
items = list(range(1, 11))
case("batch", "{% for r in i|batch(3, 0) %}{{ r|join(',') }};{% endfor %}", "{% for r in i | batch(linecount=3, fill_with=0) %}{{ r | join(sep=',') }};{% endfor %}", {"i": items})
case("batch-nofill", "{% for r in i|batch(4) %}{{ r|join(',') }};{% endfor %}", "{% for r in i | batch(linecount=4) %}{{ r | join(sep=',') }};{% endfor %}", {"i": items})
case("slice", "{% for c in i|slice(3) %}{{ c|join(',') }};{% endfor %}", "{% for c in i | slice(slices=3) %}{{ c | join(sep=',') }};{% endfor %}", {"i": items})
case("slice-fill", "{% for c in i|slice(4, 'x') %}{{ c|join(',') }};{% endfor %}", "{% for c in i | slice(slices=4, fill_with='x') %}{{ c | join(sep=',') }};{% endfor %}", {"i": items})

# sum / min / max
rows = [{"n": 3, "s": "b"}, {"n": 1.5, "s": "A"}, {"n": 2, "s": "a"}]
case("sum", "{{ i|sum }} {{ r|sum(attribute='n') }} {{ i|sum(start=100) }}", "{{ i | sum }} {{ r | sum(attribute='n') }} {{ i | sum(start=100) }}", {"i": items, "r": rows})
case("min-max", "{{ w|min }} {{ w|max }} {{ w|min(case_sensitive=true) }} {{ (r|max(attribute='n')).s }} {{ (r|min(attribute='s')).n }}",
     "{% set top = r | max(attribute='n') %}{% set first = r | min(attribute='s') %}{{ w | min }} {{ w | max }} {{ w | min(case_sensitive=true) }} {{ top.s }} {{ first.n }}",
     {"w": ["b", "A", "c", "a", "C"], "r": rows})

# map / select / reject / selectattr / rejectattr
people = [{"name": "ann", "age": 31, "admin": True, "role": "owner"}, {"name": "bob", "age": 17, "admin": False, "role": "guest"}, {"name": "cy", "age": 45}]
case("map-attribute", "{{ p|map(attribute='name')|join(', ') }}", "{{ p | map(attribute='name') | join(sep=', ') }}", {"p": people})
case("map-filter", "{{ w|map('upper')|join(',') }}", "{{ w | map(filter='upper') | join(sep=',') }}", {"w": ["a", "b"]})
case("map-default", "{{ p|map(attribute='role', default='?')|join(',') }}", "{{ p | map(attribute='role', default='?') | join(sep=',') }}", {"p": people})
case("select", "{{ i|select('odd')|join(',') }} {{ i|reject('odd')|join(',') }} {{ i|select('gt', 7)|join(',') }} {{ i|select('divisibleby', 3)|join(',') }} {{ [0, 1, '', 'x']|select|join(',') }}",
     "{{ i | select(test='odd') | join(sep=',') }} {{ i | reject(test='odd') | join(sep=',') }} {{ i | select(test='gt', value=7) | join(sep=',') }} {{ i | select(test='divisibleby', value=3) | join(sep=',') }} {{ [0, 1, '', 'x'] | select | join(sep=',') }}",
     {"i": items})
case("selectattr", "{{ p|selectattr('admin')|map(attribute='name')|join(',') }} {{ p|rejectattr('admin')|map(attribute='name')|join(',') }} {{ p|selectattr('age', 'ge', 18)|map(attribute='name')|join(',') }} {{ p|selectattr('admin', 'defined')|map(attribute='name')|join(',') }}",
     "{{ p | selectattr(attribute='admin') | map(attribute='name') | join(sep=',') }} {{ p | rejectattr(attribute='admin') | map(attribute='name') | join(sep=',') }} {{ p | selectattr(attribute='age', test='ge', value=18) | map(attribute='name') | join(sep=',') }} {{ p | selectattr(attribute='admin', test='defined') | map(attribute='name') | join(sep=',') }}",
     {"p": people})

# list / items / attr / count / d / string
case("list", "{{ 'abc'|list|join('-') }} {{ d|list|join('-') }}", "{{ 'abc' | list | join(sep='-') }} {{ d | list | join(sep='-') }}", {"d": {"y": 1, "x": 2}})
case("items", "{% for k, v in d|items %}{{ k }}{{ v }}{% endfor %}", "{% for p in d | items %}{{ p[0] }}{{ p[1] }}{% endfor %}", {"d": {"x": 2, "y": 1}})
# Jinja2's attr() reads Python attributes, not dict items; Tera values have no
# attributes, so Carafe's attr reads the key (what `u.name` does in Jinja2).
case("attr-count-d-string", "{{ u.name }} {{ [1,2,3]|count }} {{ missing|d('n/a') }} {{ ''|d('empty', true) }} {{ 3|string }}",
     "{{ u | attr(name='name') }} {{ [1,2,3] | count }} {{ missing | d(value='n/a') }} {{ '' | d(value='empty', boolean=true) }} {{ 3 | string }}",
     {"u": {"name": "ann"}})

# date (Jinja templates call strftime on a datetime)
DATE_FORMAT = "%Y-%m-%d %H:%M:%S|%a %A %b %B %d %e %j %m %y %I %p %w %u %U %W %V %G %F %T %D %R %z %Z %c %x %X %f %%"
for raw in [0, 1709296200, 951782400, 1104537600, 1230681600, "2024-03-01", "2024-03-01T12:30:05", "2024-12-31T23:59:59.123456+05:30", "2021-01-03T00:00:00Z", "1999-12-31 07:08:09.5-08:00"]:
    if isinstance(raw, int):
        py = datetime.datetime.fromtimestamp(raw, datetime.timezone.utc)
    else:
        py = datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    rendered = py.strftime(DATE_FORMAT)
    CASES.append(dict(name=f"date-{raw}", jinja=None, tera="{{ d | date(format=f) }}", context={"d": raw, "f": DATE_FORMAT}, autoescape=False, expected=rendered))
CASES.append(dict(name="date-default-format", jinja=None, tera="{{ d | date }}", context={"d": 1709296200}, autoescape=False, expected="2024-03-01"))

out = []
for c in CASES:
    if c.get("jinja") is not None:
        env = jinja2.Environment(autoescape=c["autoescape"])
        c["expected"] = env.from_string(c["jinja"]).render(**c["context"])
    out.append({k: c[k] for k in ("name", "jinja", "tera", "context", "autoescape", "expected")})
json.dump({"jinja2": jinja2.__version__, "cases": out}, sys.stdout, indent=1, ensure_ascii=False)
print()
