//! The twitch diary chart: episodes per day as bars, the day's tags as
//! coloured markers above each bar, drawn into a PNG that a chat can show.
//!
//! Everything the picture needs is inside this module: the font is
//! embedded (no system fonts are looked up at run time), every word comes
//! from the caller already translated, and the PNG is encoded here. The
//! drawing never panics on odd input: days outside the range and unknown
//! tag indices are ignored, and ranges that cannot be drawn are errors.

use std::fmt::Display;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, Circle, DrawingArea, IntoDrawingArea, RGBColor, Rectangle};
use plotters::style::Color;

/// Width of the chart in pixels: wide enough that 120 one-day slots still
/// leave every bar 2+ px wide with a gap, small enough for a chat preview.
pub const WIDTH: u32 = 800;

/// Height of the chart in pixels (16:9 with [`WIDTH`], which chat clients
/// preview without cropping).
pub const HEIGHT: u32 = 450;

/// The longest range [`draw`] accepts, in days (one year, leap or not).
/// Past it a slot would be narrower than two pixels and bars would merge,
/// so such a request is refused with [`ChartError::RangeTooLong`].
pub const MAX_DAYS: i64 = 366;

/// The one colour every episode bar is filled with, so that a reader (and a
/// test scanning a pixel row) can tell bars from everything else. No tag
/// colour, text or grid pixel ever has exactly this colour.
pub const BAR: (u8, u8, u8) = (0, 114, 178);

/// The chart's background colour.
pub const BACKGROUND: (u8, u8, u8) = (255, 255, 255);

/// Colours of the tag markers, by tag index (repeating past the end). They
/// come from the Okabe–Ito palette, which stays distinguishable for the
/// common kinds of colour blindness, without its blue, which is [`BAR`].
pub const TAG_COLOURS: [(u8, u8, u8); 7] = [
    (230, 159, 0),   // orange
    (0, 158, 115),   // bluish green
    (204, 121, 167), // reddish purple
    (213, 94, 0),    // vermillion
    (86, 180, 233),  // sky blue
    (181, 154, 0),   // dark yellow (plain yellow is unreadable on white)
    (90, 90, 90),    // grey
];

/// The colour of the markers of tag `index`, so that other views (a text
/// legend, a reply) can name the same colour as the chart.
pub fn tag_colour(index: usize) -> (u8, u8, u8) {
    TAG_COLOURS[index % TAG_COLOURS.len()]
}

/// One day of the chart: a day number (days since 1970-01-01, UTC), how
/// many episodes were logged that day, and which tags (by index into
/// [`ChartText::tags`]) were marked on that day's entries.
///
/// Several `Day`s with the same day number are added together, so a caller
/// may pass one per entry as well as one per day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Day {
    /// Days since 1970-01-01 (UTC); the x position of the bar.
    pub day: i64,
    /// Episodes logged that day; the height of the bar (0 draws no bar).
    pub episodes: u32,
    /// Indices into [`ChartText::tags`] marked that day; indices past the
    /// end of the list are ignored, repeats are drawn once.
    pub tags: Vec<usize>,
}

/// Every word the chart shows, already in the person's language (the
/// caller translates; this module never picks words itself).
pub struct ChartText {
    /// The heading above the chart, e.g. "Twitching episodes per day".
    pub title: String,
    /// The name of the y axis, e.g. "Episodes".
    pub y_axis: String,
    /// Legend labels, one per tag index, e.g. `["Stress", "Poor sleep"]`.
    pub tags: Vec<String>,
    /// Formats a day number (days since 1970-01-01, UTC) for the x axis,
    /// e.g. "3 Dec" or "3 дек".
    pub day_label: Box<dyn Fn(i64) -> String>,
}

/// Why a chart could not be drawn, so the caller can fall back to text.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The range ends before it starts.
    #[error("chart range starts on day {first}, after its last day {last}")]
    InvalidRange {
        /// The first day asked for.
        first: i64,
        /// The last day asked for.
        last: i64,
    },
    /// The range holds more than [`MAX_DAYS`] days.
    #[error("chart range {first}..={last} is longer than {MAX_DAYS} days")]
    RangeTooLong {
        /// The first day asked for.
        first: i64,
        /// The last day asked for.
        last: i64,
    },
    /// The embedded font could not be loaded (a broken build).
    #[error("the chart font could not be loaded")]
    Font,
    /// Drawing into the pixel buffer failed.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// Encoding the pixels as PNG failed.
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(#[from] png::EncodingError),
}

/// DejaVu Sans cut down to Latin and Cyrillic (see the licence file beside
/// it): about 80 KB instead of 750 KB.
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-LatinCyrillic.ttf");

/// The embedded font, parsed once per process; `None` if it is unusable.
fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

// Layout, in pixels; text positions are baselines.
const TITLE_SIZE: f32 = 22.0;
const TITLE_MIN_SIZE: f32 = 14.0;
const LABEL_SIZE: f32 = 14.0;
const TICK_SIZE: f32 = 12.0;
const TITLE_BASELINE: i32 = 32;
const ROW_GAP: i32 = 24;
const LEGEND_ROWS: usize = 3;
const LEGEND_MARK: i32 = 10;
const LEGEND_GAP: i32 = 20;
const SIDE: i32 = 12;
const RIGHT: i32 = 16;
/// The row of the x axis line; bars end just above it.
const AXIS_Y: i32 = HEIGHT as i32 - 34;
const MIN_BAR_HEIGHT: i32 = 3;
/// Space kept between the top tick and the name of the y axis.
const MIN_HEADROOM: i32 = 14;
const MAX_BAR_WIDTH: i32 = 40;

const INK: RGBColor = RGBColor(40, 40, 40);
const MUTED: RGBColor = RGBColor(90, 90, 90);
const AXIS: RGBColor = RGBColor(150, 150, 150);
const GRID: RGBColor = RGBColor(228, 228, 228);

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Draws `days` over the inclusive range `first..=last` (one slot per
/// calendar day, empty days drawn as no bar) and returns a PNG of
/// [`WIDTH`] × [`HEIGHT`] pixels.
///
/// Days outside the range are ignored, as are tag indices with no label.
/// `first > last` gives [`ChartError::InvalidRange`], a range longer than
/// [`MAX_DAYS`] gives [`ChartError::RangeTooLong`].
pub fn draw(first: i64, last: i64, days: &[Day], text: &ChartText) -> Result<Vec<u8>, ChartError> {
    if first > last {
        return Err(ChartError::InvalidRange { first, last });
    }
    let count = last
        .checked_sub(first)
        .and_then(|d| d.checked_add(1))
        .filter(|&n| n <= MAX_DAYS)
        .ok_or(ChartError::RangeTooLong { first, last })?;
    let font = font().ok_or(ChartError::Font)?;
    let slots = gather(first, last, count as usize, days, text.tags.len());

    let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        render(&Canvas { area: &area, font }, first, &slots, text)?;
        area.present().map_err(draw_error)?;
    }
    encode(&pixels)
}

/// What one calendar day of the range shows.
#[derive(Clone, Default)]
struct Slot {
    episodes: u64,
    /// Known tag indices, sorted, each once.
    tags: Vec<usize>,
}

/// Sorts the caller's days into one slot per day of the range.
fn gather(first: i64, last: i64, count: usize, days: &[Day], tag_count: usize) -> Vec<Slot> {
    let mut slots = vec![Slot::default(); count];
    for day in days.iter().filter(|d| (first..=last).contains(&d.day)) {
        let Some(slot) = usize::try_from(day.day - first)
            .ok()
            .and_then(|i| slots.get_mut(i))
        else {
            continue;
        };
        slot.episodes = slot.episodes.saturating_add(u64::from(day.episodes));
        slot.tags
            .extend(day.tags.iter().copied().filter(|&t| t < tag_count));
    }
    for slot in &mut slots {
        slot.tags.sort_unstable();
        slot.tags.dedup();
    }
    slots
}

/// Plotters errors are generic over the backend; keep only their message.
fn draw_error(e: impl Display) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// A palette tuple as a plotters colour.
fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// Where the chart is drawn: plotters for shapes, the embedded font for
/// text.
///
/// Text is laid out here rather than through plotters' own `ab_glyph`
/// feature: plotters 0.3.7 drops each glyph's side bearing and rounds the
/// pen per glyph, which spaces letters unevenly ("Cafeín a").
struct Canvas<'a, 'b> {
    area: &'a Area<'b>,
    font: &'static FontRef<'static>,
}

impl Canvas<'_, '_> {
    /// Width in pixels of `s` at `size` px.
    fn width(&self, s: &str, size: f32) -> i32 {
        let font = self.font.as_scaled(PxScale::from(size));
        let mut width = 0.0;
        let mut previous = None;
        for c in s.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                width += font.kern(p, id);
            }
            width += font.h_advance(id);
            previous = Some(id);
        }
        width.ceil() as i32
    }

    /// Draws `s` at `size` px with its baseline on row `baseline`; `x` is
    /// its left edge, centre or right edge as `align` says.
    fn text(
        &self,
        s: &str,
        size: f32,
        colour: RGBColor,
        align: Align,
        (x, baseline): (i32, i32),
    ) -> Result<(), ChartError> {
        let scaled = self.font.as_scaled(PxScale::from(size));
        let width = self.width(s, size) as f32;
        let mut pen = x as f32
            - match align {
                Align::Left => 0.0,
                Align::Centre => (width / 2.0).round(),
                Align::Right => width,
            };
        let mut previous = None;
        let mut failure = None;
        for c in s.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                pen += scaled.kern(p, id);
            }
            previous = Some(id);
            let glyph = id.with_scale_and_position(size, point(pen, baseline as f32));
            pen += scaled.h_advance(id);
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue; // a space
            };
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|gx, gy, coverage| {
                if coverage <= 0.0 || failure.is_some() {
                    return;
                }
                let at = (left + gx as i32, top + gy as i32);
                let ink = colour.mix(f64::from(coverage.min(1.0)));
                if let Err(e) = self.area.draw_pixel(at, &ink) {
                    failure = Some(draw_error(e));
                }
            });
        }
        failure.map_or(Ok(()), Err)
    }

    /// `s` with control characters as spaces, cut and ended with "…" if it is
    /// wider than `max` pixels.
    fn fit(&self, s: &str, size: f32, max: i32) -> String {
        // Nothing longer than this fits on the chart; it also bounds the
        // work for absurd input.
        const LONGEST: usize = 200;
        let mut chars = s.chars().map(|c| if c.is_control() { ' ' } else { c });
        let mut out: String = chars.by_ref().take(LONGEST).collect();
        if chars.next().is_none() && self.width(&out, size) <= max {
            return out;
        }
        while !out.is_empty() {
            let candidate = format!("{}…", out.trim_end());
            if self.width(&candidate, size) <= max {
                return candidate;
            }
            out.pop();
        }
        out
    }
}

/// How text sits on its `x`.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Centre,
    Right,
}

/// Fills a box with one flat colour (no anti-aliasing, so bar pixels are
/// exactly [`BAR`]).
fn fill(
    area: &Area,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    c: RGBColor,
) -> Result<(), ChartError> {
    // The bitmap backend fills the half-open box [x0, x1) × [y0, y1).
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))
        .map_err(draw_error)
}

/// A tag marker of size `size` whose box starts at `left`, `top`.
fn marker(area: &Area, (left, top): (i32, i32), size: i32, c: RGBColor) -> Result<(), ChartError> {
    if size >= 6 {
        let r = size / 2;
        area.draw(&Circle::new((left + r, top + r), r as u32, c.filled()))
            .map_err(draw_error)
    } else {
        fill(area, (left, top), (left + size, top + size), c)
    }
}

/// A "nice" tick step (1, 2 or 5 × 10ⁿ) giving at most five intervals up to
/// `max`, and the top tick (the first multiple of the step ≥ `max`).
fn y_ticks(max: u64) -> (u64, u64) {
    let max = max.max(4);
    let mut magnitude = 1u64;
    loop {
        for factor in [1u64, 2, 5] {
            let step = magnitude.saturating_mul(factor);
            if step.saturating_mul(5) >= max {
                return (step, max.div_ceil(step).saturating_mul(step));
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// Lays out and draws the whole chart: title, legend, axes, bars, markers.
fn render(c: &Canvas, first: i64, slots: &[Slot], text: &ChartText) -> Result<(), ChartError> {
    let area = c.area;
    area.fill(&rgb(BACKGROUND)).map_err(draw_error)?;
    let max_width = WIDTH as i32 - 2 * SIDE;

    // Title: shrink it before cutting it.
    let mut size = TITLE_SIZE;
    while size > TITLE_MIN_SIZE && c.width(&text.title, size) > max_width {
        size -= 2.0;
    }
    let title = c.fit(&text.title, size, max_width);
    c.text(
        &title,
        size,
        INK,
        Align::Centre,
        (WIDTH as i32 / 2, TITLE_BASELINE),
    )?;

    // Legend: coloured mark + label, packed into centred rows.
    let mut baseline = TITLE_BASELINE;
    let mut rows: Vec<Vec<(usize, String, i32)>> = Vec::new();
    let mut row_width = 0;
    for (i, label) in text.tags.iter().enumerate() {
        let label = c.fit(label, LABEL_SIZE, 240);
        let width = LEGEND_MARK + 6 + c.width(&label, LABEL_SIZE);
        let fits = !rows.is_empty() && row_width + LEGEND_GAP + width <= max_width;
        if fits {
            if let Some(row) = rows.last_mut() {
                row.push((i, label, width));
                row_width += LEGEND_GAP + width;
            }
        } else if rows.len() == LEGEND_ROWS {
            break;
        } else {
            rows.push(vec![(i, label, width)]);
            row_width = width;
        }
    }
    for row in &rows {
        baseline += ROW_GAP;
        let total: i32 = row.iter().map(|(_, _, w)| w + LEGEND_GAP).sum::<i32>() - LEGEND_GAP;
        let mut x = (WIDTH as i32 - total) / 2;
        for (i, label, width) in row {
            let top = baseline - 5 - LEGEND_MARK / 2;
            marker(area, (x, top), LEGEND_MARK, rgb(tag_colour(*i)))?;
            c.text(
                label,
                LABEL_SIZE,
                INK,
                Align::Left,
                (x + LEGEND_MARK + 6, baseline),
            )?;
            x += width + LEGEND_GAP;
        }
    }

    // Name of the y axis, above its tick labels.
    baseline += ROW_GAP;
    let y_name = c.fit(&text.y_axis, LABEL_SIZE, max_width);
    c.text(&y_name, LABEL_SIZE, MUTED, Align::Left, (SIDE, baseline))?;
    let plot_top = baseline + 10;

    // Y ticks decide the left margin.
    let max = slots.iter().map(|s| s.episodes).max().unwrap_or(0);
    let (step, top_tick) = y_ticks(max);
    let ticks: Vec<u64> = (0..=top_tick / step).map(|k| k * step).collect();
    let tick_width = ticks
        .iter()
        .map(|t| c.width(&t.to_string(), TICK_SIZE))
        .max()
        .unwrap_or(0);
    let plot_left = (SIDE + tick_width + 8).max(40);
    let plot_right = WIDTH as i32 - RIGHT;
    let plot_width = plot_right - plot_left;

    // One slot per day; bars keep at least a pixel from their neighbours.
    let n = slots.len().max(1) as i32;
    let slot_left = |i: i32| plot_left + i * plot_width / n;
    let min_slot = plot_width / n;
    let bar_width = if min_slot >= 3 {
        (min_slot * 7 / 10)
            .clamp(2, min_slot - 1)
            .min(MAX_BAR_WIDTH)
    } else {
        1
    };

    // Room above the tallest bar for its stack of markers.
    let most_tags = slots
        .iter()
        .filter(|s| s.episodes > 0)
        .map(|s| s.tags.len())
        .max()
        .unwrap_or(0) as i32;
    let mut mark = (min_slot - 2).clamp(3, 8);
    let mut pitch = mark + 2;
    let room = AXIS_Y - plot_top;
    let headroom_for = |pitch: i32| {
        let stack = if most_tags > 0 {
            3 + most_tags * pitch
        } else {
            0
        };
        (4 + stack).max(MIN_HEADROOM)
    };
    let mut headroom = headroom_for(pitch);
    if headroom > room / 3 {
        // Many tags on one day: smaller markers rather than flat bars.
        pitch = ((room / 3 - 7) / most_tags.max(1)).max(2);
        mark = pitch - 1;
        headroom = headroom_for(pitch);
    }
    let bar_room = (room - headroom).max(MIN_BAR_HEIGHT);
    let height_of = |v: u64| -> i32 {
        let h = (v as f64 / top_tick as f64 * f64::from(bar_room)).round() as i32;
        h.clamp(0, bar_room)
    };

    // Grid and y tick labels.
    for &t in &ticks {
        let y = AXIS_Y - height_of(t);
        if t > 0 {
            fill(area, (plot_left, y), (plot_right, y + 1), GRID)?;
        }
        c.text(
            &t.to_string(),
            TICK_SIZE,
            MUTED,
            Align::Right,
            (plot_left - 8, y + 4),
        )?;
    }

    // Bars, and the day's tags stacked above each.
    for (i, slot) in slots.iter().enumerate() {
        if slot.episodes == 0 {
            continue;
        }
        let i = i as i32;
        let (left, right) = (slot_left(i), slot_left(i + 1));
        let x0 = left + ((right - left - bar_width) / 2).max(1);
        let h = height_of(slot.episodes).max(MIN_BAR_HEIGHT);
        fill(area, (x0, AXIS_Y - h), (x0 + bar_width, AXIS_Y), rgb(BAR))?;
        let centre = x0 + bar_width / 2;
        for (k, &tag) in slot.tags.iter().enumerate() {
            let bottom = AXIS_Y - h - 3 - k as i32 * pitch;
            marker(
                area,
                (centre - mark / 2, bottom - mark),
                mark,
                rgb(tag_colour(tag)),
            )?;
        }
    }

    // X axis and a readable subset of day labels: the smallest step
    // between labelled days at which the widest label fits.
    fill(area, (plot_left, AXIS_Y), (plot_right, AXIS_Y + 1), AXIS)?;
    let labels: Vec<(String, i32)> = (0..slots.len())
        .map(|i| {
            let label = c.fit(&(text.day_label)(first + i as i64), TICK_SIZE, 160);
            let width = c.width(&label, TICK_SIZE);
            (label, width)
        })
        .collect();
    let slot_width = f64::from(plot_width) / f64::from(n);
    let every = [1usize, 2, 3, 7, 14, 28, 56, 91, 182, 364]
        .into_iter()
        .find(|&step| {
            let widest = labels
                .iter()
                .step_by(step)
                .map(|(_, w)| *w)
                .max()
                .unwrap_or(0);
            step as f64 * slot_width >= f64::from(widest + 10)
        })
        .unwrap_or(slots.len().max(1));
    let mut last_right = i32::MIN / 2;
    for (i, (label, width)) in labels.iter().enumerate().step_by(every) {
        let i = i as i32;
        let centre = (slot_left(i) + slot_left(i + 1)) / 2;
        let left = (centre - width / 2).min(WIDTH as i32 - 2 - width).max(2);
        if left < last_right + 6 {
            continue;
        }
        fill(area, (centre, AXIS_Y + 1), (centre + 1, AXIS_Y + 5), AXIS)?;
        c.text(label, TICK_SIZE, MUTED, Align::Left, (left, AXIS_Y + 19))?;
        last_right = left + width;
    }
    Ok(())
}

/// Encodes a [`WIDTH`] × [`HEIGHT`] RGB buffer as PNG.
fn encode(pixels: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::with_capacity(32 * 1024);
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
    fn civil(days: i64) -> (i64, u32, u32) {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (yoe + era * 400 + i64::from(m <= 2), m, d)
    }

    fn label_with(months: [&'static str; 12]) -> Box<dyn Fn(i64) -> String> {
        Box::new(move |day| {
            let (_, m, d) = civil(day);
            format!("{d} {}", months[(m as usize + 11) % 12])
        })
    }

    fn english() -> ChartText {
        ChartText {
            title: "Twitching episodes per day".into(),
            y_axis: "Episodes".into(),
            tags: vec!["Stress".into(), "Poor sleep".into(), "Caffeine".into()],
            day_label: label_with([
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ]),
        }
    }

    fn russian() -> ChartText {
        ChartText {
            title: "Эпизоды подёргивания по дням".into(),
            y_axis: "Эпизоды".into(),
            tags: vec!["Стресс".into(), "Плохой сон".into(), "Кофеин".into()],
            day_label: label_with([
                "янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
            ]),
        }
    }

    fn spanish() -> ChartText {
        ChartText {
            title: "Episodios por día".into(),
            y_axis: "Episodios".into(),
            tags: vec!["Estrés".into(), "Mal sueño".into(), "Cafeína".into()],
            day_label: label_with([
                "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
            ]),
        }
    }

    /// 2024-12-01.
    const START: i64 = 20_058;

    struct Image {
        width: u32,
        height: u32,
        rgb: Vec<u8>,
    }

    impl Image {
        fn pixel(&self, x: u32, y: u32) -> (u8, u8, u8) {
            let i = (y as usize * self.width as usize + x as usize) * 3;
            (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
        }

        /// Maximal runs of exactly [`BAR`] on row `y`, as (start, length).
        fn bar_runs(&self, y: u32) -> Vec<(u32, u32)> {
            let mut runs = Vec::new();
            let mut start = None;
            for x in 0..=self.width {
                let bar = x < self.width && self.pixel(x, y) == BAR;
                match (bar, start) {
                    (true, None) => start = Some(x),
                    (false, Some(s)) => {
                        runs.push((s, x - s));
                        start = None;
                    }
                    _ => {}
                }
            }
            runs
        }

        /// Bars counted on a row a little above the x axis.
        fn bars(&self) -> Vec<(u32, u32)> {
            self.bar_runs((AXIS_Y - 2) as u32)
        }

        fn inked(&self, rows: std::ops::Range<u32>) -> usize {
            rows.flat_map(|y| (0..self.width).map(move |x| (x, y)))
                .filter(|&(x, y)| self.pixel(x, y) != BACKGROUND)
                .count()
        }
    }

    fn decode(png_bytes: &[u8]) -> Image {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("PNG header");
        let mut rgb = vec![0; reader.output_buffer_size().expect("buffer size")];
        let info = reader.next_frame(&mut rgb).expect("PNG frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        rgb.truncate(info.buffer_size());
        Image {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    fn day(offset: i64, episodes: u32, tags: &[usize]) -> Day {
        Day {
            day: START + offset,
            episodes,
            tags: tags.to_vec(),
        }
    }

    /// Draws `days` over `len` days from START and checks size and bars.
    fn check(len: i64, days: &[Day], text: &ChartText) -> Image {
        let last = START + len - 1;
        let png_bytes = draw(START, last, days, text).expect("chart draws");
        let image = decode(&png_bytes);
        assert_eq!((image.width, image.height), (WIDTH, HEIGHT));
        let mut active: Vec<i64> = days
            .iter()
            .filter(|d| d.episodes > 0 && (START..=last).contains(&d.day))
            .map(|d| d.day)
            .collect();
        active.sort_unstable();
        active.dedup();
        let runs = image.bars();
        assert_eq!(
            runs.len(),
            active.len(),
            "bars on the scanned row: {runs:?}"
        );
        if len <= 120 {
            for (_, width) in &runs {
                assert!(*width >= 2, "bar narrower than 2 px: {runs:?}");
            }
        }
        image
    }

    #[test]
    fn fourteen_days_six_active() {
        let days = [
            day(0, 2, &[0]),
            day(2, 5, &[0, 1]),
            day(3, 1, &[]),
            day(7, 3, &[2]),
            day(8, 0, &[1]),
            day(10, 7, &[0, 1, 2]),
            day(13, 4, &[1]),
        ];
        check(14, &days, &english());
    }

    #[test]
    fn ninety_days_forty_active_with_neighbours() {
        // Runs of adjacent days, so bars must stay separate.
        let days: Vec<Day> = (0..90)
            .filter(|i| i % 9 < 4)
            .map(|i| day(i, (i % 7 + 1) as u32, &[(i % 4) as usize, (i % 3) as usize]))
            .collect();
        assert_eq!(days.len(), 40);
        check(90, &days, &english());
    }

    #[test]
    fn one_hundred_twenty_days_all_active() {
        let days: Vec<Day> = (0..120).map(|i| day(i, 1 + (i % 5) as u32, &[0])).collect();
        let image = check(120, &days, &english());
        // Every pair of neighbours is split by at least one pixel.
        let runs = image.bars();
        for pair in runs.windows(2) {
            assert!(pair[1].0 > pair[0].0 + pair[0].1, "bars touch: {pair:?}");
        }
    }

    #[test]
    fn one_day() {
        check(1, &[day(0, 3, &[1])], &english());
    }

    #[test]
    fn no_days_is_an_empty_chart() {
        let image = check(30, &[], &english());
        assert!(image.bars().is_empty());
        // Axes and labels are still drawn.
        assert!(image.inked(AXIS_Y as u32..HEIGHT) > 0);
    }

    #[test]
    fn days_outside_the_range_are_ignored() {
        let days = [
            day(-5, 4, &[0]),
            day(-1, 9, &[]),
            day(0, 1, &[]),
            day(6, 2, &[2]),
            day(13, 3, &[1]),
            day(14, 8, &[0]),
            Day {
                day: i64::MAX,
                episodes: 1,
                tags: vec![],
            },
            Day {
                day: i64::MIN,
                episodes: 1,
                tags: vec![],
            },
        ];
        let image = check(14, &days, &english());
        assert_eq!(image.bars().len(), 3);
    }

    #[test]
    fn repeated_days_add_up_to_one_bar() {
        let days = [day(3, 1, &[0]), day(3, 2, &[0, 1]), day(5, 1, &[])];
        check(7, &days, &english());
    }

    #[test]
    fn odd_input_never_panics() {
        let days = [
            day(0, u32::MAX, &[0, 99, usize::MAX]),
            day(0, u32::MAX, &[0]),
            day(1, 1, &[2, 2, 2, 1, 0]),
            day(2, u32::MAX / 3, &[]),
        ];
        check(3, &days, &english());

        let mut many_tags = english();
        many_tags.tags = (0..40).map(|i| format!("Tag number {i}")).collect();
        let all: Vec<usize> = (0..40).collect();
        check(10, &[day(4, 2, &all), day(5, 1, &all)], &many_tags);

        let weird = ChartText {
            title: "x".repeat(5000),
            y_axis: "\n\t\u{0}".into(),
            tags: vec![String::new(), "🙂 漢字".into()],
            day_label: Box::new(|d| format!("{d}{d}{d}{d}{d}")),
        };
        check(20, &[day(1, 1, &[0, 1])], &weird);
        check(
            MAX_DAYS,
            &[day(0, 1, &[]), day(MAX_DAYS - 1, 1, &[])],
            &weird,
        );
    }

    #[test]
    fn impossible_ranges_are_errors() {
        assert!(matches!(
            draw(10, 9, &[], &english()),
            Err(ChartError::InvalidRange { first: 10, last: 9 })
        ));
        assert!(matches!(
            draw(0, MAX_DAYS, &[], &english()),
            Err(ChartError::RangeTooLong { .. })
        ));
        assert!(matches!(
            draw(i64::MIN, i64::MAX, &[], &english()),
            Err(ChartError::RangeTooLong { .. })
        ));
        assert!(draw(0, MAX_DAYS - 1, &[], &english()).is_ok());
    }

    /// Groups of inked columns in the x label band, split by 6+ blank
    /// columns: one group per drawn day label.
    fn x_label_count(image: &Image) -> usize {
        let rows = (AXIS_Y + 7) as u32..HEIGHT;
        let inked: Vec<bool> = (0..image.width)
            .map(|x| rows.clone().any(|y| image.pixel(x, y) != BACKGROUND))
            .collect();
        let mut groups = 0;
        let mut blank = usize::MAX;
        for ink in inked {
            if ink {
                if blank >= 6 {
                    groups += 1;
                }
                blank = 0;
            } else {
                blank = blank.saturating_add(1);
            }
        }
        groups
    }

    #[test]
    fn day_labels_are_a_readable_subset() {
        let two_weeks = check(14, &[day(3, 1, &[])], &english());
        assert_eq!(x_label_count(&two_weeks), 14);
        for text in [english(), russian(), spanish()] {
            let quarter = check(90, &[day(3, 1, &[])], &text);
            let labels = x_label_count(&quarter);
            assert!((6..=16).contains(&labels), "{labels} labels for 90 days");
        }
    }

    #[test]
    fn y_ticks_are_whole_numbers() {
        assert_eq!(y_ticks(0), (1, 4));
        assert_eq!(y_ticks(4), (1, 4));
        assert_eq!(y_ticks(7), (2, 8));
        assert_eq!(y_ticks(13), (5, 15));
        assert_eq!(y_ticks(101), (50, 150));
        let (step, top) = y_ticks(u64::from(u32::MAX) * 366);
        assert!(top / step <= 5 && top >= u64::from(u32::MAX) * 366);
        assert!(y_ticks(u64::MAX).0 > 0);
    }

    #[test]
    fn long_text_is_cut_and_short_text_kept() {
        let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
        let area = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        let canvas = Canvas {
            area: &area,
            font: font().expect("embedded font"),
        };
        assert_eq!(canvas.fit("Poor\tsleep", 14.0, 240), "Poor sleep");
        let cut = canvas.fit(&"слово ".repeat(100), 14.0, 240);
        assert!(
            cut.ends_with('…') && canvas.width(&cut, 14.0) <= 240,
            "{cut}"
        );
        assert_eq!(canvas.fit("Stress", 14.0, 1), "");
    }

    /// The title band: everything above the legend.
    const TITLE_ROWS: std::ops::Range<u32> = 0..(TITLE_BASELINE as u32 + 8);

    #[test]
    fn russian_and_spanish_draw() {
        let days: Vec<Day> = (0..30)
            .step_by(2)
            .map(|i| day(i, 1 + (i % 4) as u32, &[(i % 3) as usize]))
            .collect();
        for text in [russian(), spanish()] {
            let image = check(30, &days, &text);
            assert!(
                image.inked(TITLE_ROWS) > 200,
                "no title drawn for {}",
                text.title
            );
        }
    }

    #[test]
    fn accented_and_cyrillic_letters_have_their_own_glyphs() {
        // A missing glyph is drawn as the same empty box for every letter,
        // so two titles of different missing letters would look the same.
        let title_pixels = |title: &str| {
            let mut text = english();
            text.title = title.into();
            let image = decode(&draw(START, START, &[], &text).expect("chart draws"));
            let mut rows = Vec::new();
            for y in TITLE_ROWS {
                for x in 0..image.width {
                    rows.push(image.pixel(x, y));
                }
            }
            rows
        };
        assert_ne!(title_pixels("ЭЭЭЭ"), title_pixels("ЖЖЖЖ"));
        assert_ne!(title_pixels("ёёёё"), title_pixels("йййй"));
        assert_ne!(title_pixels("íííí"), title_pixels("ññññ"));
    }

    #[test]
    fn writes_a_sample_chart() {
        let days: Vec<Day> = (0..90)
            .filter(|i| i % 3 != 1)
            .map(|i| {
                let tags: Vec<usize> = (0..3)
                    .filter(|t| (i + t * 2) % 5 < 2)
                    .map(|t| t as usize)
                    .collect();
                day(i, (1 + (i * 7) % 9) as u32, &tags)
            })
            .collect();
        let png_bytes = draw(START, START + 89, &days, &english()).expect("chart draws");
        let path = std::env::temp_dir().join("twitch-diary-chart-sample.png");
        std::fs::write(&path, &png_bytes).expect("sample written");
        println!("sample chart: {}", path.display());
    }
}
