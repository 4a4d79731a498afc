"""The orders plugin's charts: an order's production steps as a Gantt chart (planned against
actual, today marked) and a span of the production schedule by day and line. What a chart says
is settled on the event loop (texts in the contact's language, times in their zone, dates as
they write them); drawing it is pure and runs in the rendering pool."""

from datetime import date, datetime, time, timedelta
from math import ceil

from babel.dates import format_skeleton
from pydantic import BaseModel

from gateway.conversation.context import Conversation
from gateway.conversation.formatting import in_reader_zone, percent
from gateway.conversation.translated import localized
from plugins.orders.backend import Order, ScheduleSlot
from plugins.orders.references import ORDER

CHARTS_VERSION = "1"
"""Bump when the drawing changes, so charts cached from the old drawing are made anew."""
MAX_TICKS = 8
PLANNED, ON_TIME, LATE, TODAY = "#c9d3df", "#2e7d32", "#ef6c00", "#c62828"
LINE_COLOURS = ("#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#558b2f", "#4e342e")


class Span(BaseModel):
    start: datetime
    end: datetime


class GanttRow(BaseModel):
    label: str
    planned: Span
    actual: Span | None = None
    late: bool = False


class Gantt(BaseModel):
    """An order's steps, times naive in the contact's zone."""

    language: str
    title: str
    rows: list[GanttRow]
    today: datetime
    shown: Span
    ticks: list[tuple[datetime, str]]
    planned: str
    actual: str
    today_label: str


class ScheduleCell(BaseModel):
    day: int
    line: int
    text: str
    job: str


class ScheduleChart(BaseModel):
    language: str
    title: str
    days: list[str]
    lines: list[str]
    cells: list[ScheduleCell]


def gantt(order: Order, conversation: Conversation, now: datetime) -> Gantt:
    """What the Gantt chart of `order` shows the contact; a step under way runs until now, to
    the hour, so asking again within the hour finds the chart already made."""
    now = now.replace(minute=0, second=0, microsecond=0)
    def local(moment: datetime) -> datetime:
        return in_reader_zone(moment, conversation).replace(tzinfo=None)

    today = local(now)
    rows = []
    for step in order.steps:
        actual = None
        if step.actual_start is not None:
            actual = Span(start=local(step.actual_start), end=local(step.actual_end) if step.actual_end else today)
        late = (step.actual_end or now) > step.planned_end if step.actual_start else now > step.planned_start
        rows.append(
            GanttRow(
                label=localized(step.name, conversation),
                planned=Span(start=local(step.planned_start), end=local(step.planned_end)),
                actual=actual,
                late=late,
            )
        )
    moments = [today] + [m for row in rows for m in (row.planned.start, row.planned.end)]
    moments += [m for row in rows if row.actual for m in (row.actual.start, row.actual.end)]
    first, last = min(moments).date(), max(moments).date() + timedelta(days=1)
    t = conversation.t
    return Gantt(
        language=conversation.language,
        title=t("orders.chart.title", order=ORDER.show(order.id)),
        rows=rows,
        today=today,
        shown=Span(start=datetime.combine(first, time()), end=datetime.combine(last, time())),
        ticks=_ticks(first, last, conversation.locale),
        planned=t("orders.chart.planned"),
        actual=t("orders.chart.actual"),
        today_label=t("orders.chart.today"),
    )


def _ticks(first: date, last: date, locale: str) -> list[tuple[datetime, str]]:
    """Midnights from `first` to `last`, at most MAX_TICKS, labelled as the locale writes a day."""
    step = max(1, ceil((last - first).days / MAX_TICKS))
    days = [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)]
    return [(datetime.combine(day, time()), format_skeleton("MMMd", day, locale=locale)) for day in days]


def draw_gantt(chart: Gantt) -> bytes:
    """The Gantt chart as a PNG: a grey bar for each step's plan, a green or orange bar over it
    for when it really ran (orange when it ran late), and a red line at today."""
    # imported when drawn: gateway.media.rendering.DRAWING_MODULES says why
    from matplotlib import dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from gateway.media.charts import families, figure, png

    fonts = families(chart.language)
    canvas, axes = figure(chart.language, 8, 1.4 + 0.55 * len(chart.rows))
    rows = list(reversed(chart.rows))  # the first step on top
    for y, row in enumerate(rows):
        planned = mdates.date2num(row.planned.start)
        axes.barh(y, mdates.date2num(row.planned.end) - planned, left=planned, height=0.7, color=PLANNED)
        if row.actual is not None:
            actual = mdates.date2num(row.actual.start)
            width = max(mdates.date2num(row.actual.end) - actual, 0.05)
            axes.barh(y, width, left=actual, height=0.35, color=LATE if row.late else ON_TIME)
    axes.axvline(mdates.date2num(chart.today), color=TODAY, linestyle="--", linewidth=1.5)
    axes.set_yticks(range(len(rows)), labels=[row.label for row in rows])
    axes.set_xticks([mdates.date2num(tick) for tick, _ in chart.ticks], labels=[label for _, label in chart.ticks])
    axes.set_xlim(mdates.date2num(chart.shown.start), mdates.date2num(chart.shown.end))
    axes.grid(axis="x", color="#e0e0e0")
    axes.set_axisbelow(True)
    axes.set_title(chart.title, fontfamily=fonts, fontsize=13)
    legend = [
        Patch(color=PLANNED, label=chart.planned),
        Patch(color=ON_TIME, label=chart.actual),
        Line2D([], [], color=TODAY, linestyle="--", label=chart.today_label),
    ]
    axes.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, frameon=False,
                prop={"family": fonts})  # fmt: skip
    return png(canvas)


def schedule_chart(
    slots: list[ScheduleSlot], first: date, last: date, period: str, conversation: Conversation
) -> ScheduleChart:
    """What the schedule chart shows: a column per day from `first` to `last`, a row per line."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    lines = list(dict.fromkeys(localized(slot.line, conversation) for slot in slots))
    cells = [
        ScheduleCell(
            day=days.index(slot.day),
            line=lines.index(localized(slot.line, conversation)),
            text=f"{ORDER.show(slot.job)}\n{percent(slot.quality_percent, conversation)}",
            job=slot.job,
        )
        for slot in slots
        if first <= slot.day <= last
    ]
    return ScheduleChart(
        language=conversation.language,
        title=conversation.t("orders.schedule_chart.title", period=period),
        days=[format_skeleton("MMMEd", day, locale=conversation.locale) for day in days],
        lines=lines,
        cells=cells,
    )


def draw_schedule(chart: ScheduleChart) -> bytes:
    """The schedule as a PNG: a box per line and day naming the order made there and its quality."""
    from gateway.media.charts import families, figure, png  # imported when drawn, as in draw_gantt

    fonts = families(chart.language)
    canvas, axes = figure(chart.language, max(4.0, 1.3 * len(chart.days) + 1.5), 1.2 + 0.8 * len(chart.lines))
    jobs = list(dict.fromkeys(cell.job for cell in chart.cells))
    for cell in chart.cells:
        y = len(chart.lines) - 1 - cell.line
        colour = LINE_COLOURS[jobs.index(cell.job) % len(LINE_COLOURS)]
        axes.barh(y, 0.92, left=cell.day + 0.04, height=0.8, color=colour)
        axes.text(cell.day + 0.5, y, cell.text, ha="center", va="center", color="white", fontsize=9,
                  fontfamily=fonts)  # fmt: skip
    axes.set_xlim(0, len(chart.days))
    axes.set_ylim(-0.5, len(chart.lines) - 0.5)
    axes.set_xticks([n + 0.5 for n in range(len(chart.days))], labels=chart.days)
    axes.set_yticks(range(len(chart.lines)), labels=list(reversed(chart.lines)))
    axes.tick_params(length=0)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(chart.title, fontfamily=fonts, fontsize=13)
    return png(canvas)
