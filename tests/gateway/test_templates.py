"""Templates render in the sandbox within a time and memory budget, and every way one can fail
is a TemplateError that says why, never a crash and never a stalled gateway."""

import pytest

from gateway.templates import MAX_TEXT, TemplateError, check, render

TOO_LONG = f"a value would be longer than {MAX_TEXT:,} characters"

FAULTS = {
    "huge-string": ("{{ 'a' * 10**9 }}", TOO_LONG),
    "huge-list": ("{{ [0] * 10**8 }}", TOO_LONG),
    "huge-number": ("{{ 7 ** 100000 }}", "a number would have more than 4,096 bits"),
    "nested-loops": (
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "took longer than 0.5 s",
    ),
    "memory": ("{{ 'a'.ljust(10**9) }}", "needed more than 256 MiB of memory"),
    "long-output": ("{% for i in range(100) %}{{ 'abcdefgh' * 1000 }}{% endfor %}", TOO_LONG),
    "range": ("{{ range(10**6) | list }}", "cannot render: OverflowError: Range too big"),
    "division": ("{{ 1 / 0 }}", "cannot render: ZeroDivisionError: division by zero"),
    "date": ("{{ 'next Tuesday' | date }}", "the date filter needs an ISO date, such as 2026-01-10"),
    "datetime": ("{{ 'x' | datetime }}", "the datetime filter needs an ISO date"),
    "money": ("{{ 'x' | money }}", "the money filter needs a number, such as 1860 or 12.50"),
    "recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "the template calls itself too deeply"),
    "escape": ("{{ ''.__class__.__mro__ }}", "not allowed in a template"),
    "missing": ("{{ nobody }}", "missing value: 'nobody' is undefined"),
}


@pytest.mark.parametrize(("body", "reason"), FAULTS.values(), ids=FAULTS.keys())
async def test_a_template_that_cannot_render_says_why(body, reason):
    with pytest.raises(TemplateError) as failed:
        await render(body, {}, "en")
    assert reason in str(failed.value)


async def test_a_value_doubled_in_a_loop_ends_within_the_budget():
    body = "{% set ns = namespace(x='a' * 60000) %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}"
    with pytest.raises(TemplateError) as failed:
        await render(body, {}, "en")
    # whichever budget it meets first on a busy machine: memory, or time while copying
    assert str(failed.value) in ("needed more than 256 MiB of memory", "took longer than 0.5 s")


async def test_the_renderer_keeps_working_after_a_template_ran_out_of_memory_and_time():
    for body, _ in (FAULTS["memory"], FAULTS["nested-loops"]):
        with pytest.raises(TemplateError):
            await render(body, {}, "en")
    assert await render("Hello {{ name }}, {{ 1860 | money }}", {"name": "Asha"}, "en") == "Hello Asha, ₹1,860.00"


@pytest.mark.parametrize(
    "body", ["{% include 'header' %}", "{% import 'macros' as m %}", "{% from 'm' import x %}", "{% extends 'b' %}"]
)
async def test_a_template_that_loads_another_is_refused_before_it_is_saved(body):
    with pytest.raises(TemplateError, match="line 1: a template stands alone; it cannot extend, include or import"):
        check(body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{{ x | no_such_filter }}", "line 1: No filter named 'no_such_filter'."),
        ("{{ " + "(" * 500 + "1" + ")" * 500 + " }}", "the template is nested too deeply"),
    ],
)
def test_a_template_that_cannot_compile_is_refused_before_it_is_saved(body, reason):
    with pytest.raises(TemplateError) as refused:
        check(body)
    assert str(refused.value) == reason
