//! A case's network drawn as SVG on the server: a force-directed layout (Fruchterman and
//! Reingold, 1991) run a fixed number of rounds from a deterministic start, so the same
//! network draws the same way every time. No script is needed to see it; each case and
//! record node is a link. Colours by kind are in `app.css` (`.node-KIND`).

use std::fmt::Write;

use palermo_hub::cases::NetworkView;

const MARGIN: f64 = 60.0;
/// Beyond this many nodes only cases and the case's own entities are labelled (the rest say
/// what they are when pointed at).
const LABELS_ALL_MAX: usize = 40;
const ROUNDS: usize = 120;
/// Most nodes drawn: beyond it the drawing keeps the case's own entities and the cases first
/// (the page lists every link in its tables).
pub(crate) const DRAWN_MAX: usize = 300;
const GRAVITY: f64 = 0.02;

/// The kinds of node, in the legend's order, with what the legend says.
pub(crate) const KINDS: &[(&str, &str)] = &[
    ("case", "case"),
    ("case-restricted", "case you may not see"),
    ("victim", "victim"),
    ("suspect", "suspect"),
    ("organisation", "organisation"),
    ("document", "document"),
    ("vehicle", "vehicle"),
    ("phone", "phone"),
    ("email", "e-mail"),
    ("handle", "online handle"),
    ("money", "money"),
    ("address", "address"),
    ("record", "record of the hub"),
    ("record-restricted", "record you may not see"),
];

/// The drawing's size: it grows with the network, so that nodes keep their room.
fn size(n: usize) -> (f64, f64) {
    let width = (90.0 * (n as f64).sqrt()).clamp(720.0, 2400.0);
    (width, (width * 2.0 / 3.0).round())
}

/// Where each node goes: `(x, y)` in the drawing's coordinates.
pub(crate) fn layout(network: &NetworkView) -> Vec<(f64, f64)> {
    let n = network.nodes.len();
    let (width, height) = size(n);
    if n == 0 {
        return Vec::new();
    }
    let index: std::collections::HashMap<&str, usize> = network
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    let edges: Vec<(usize, usize)> = network
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?)))
        .filter(|(a, b)| a != b)
        .collect();
    // Start on a spiral (golden angle), the case asked about in the middle.
    let mut at: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let radius = 20.0 * (i as f64).sqrt();
            let angle = i as f64 * 2.399_963;
            (
                width / 2.0 + radius * angle.cos(),
                height / 2.0 + radius * angle.sin(),
            )
        })
        .collect();
    let area = (width - 2.0 * MARGIN) * (height - 2.0 * MARGIN);
    let k = (area / n as f64).sqrt() * 0.8;
    let mut temperature = width / 8.0;
    let rounds = ROUNDS;
    let cooling = (0.01f64.ln() / rounds as f64).exp();
    for _ in 0..rounds {
        let mut moves = vec![(0.0f64, 0.0f64); n];
        // Repulsion between nodes closer than 2k only, found through a grid of 2k cells (the
        // paper's own grid variant): a round costs about n times a cell's neighbours, not n².
        let cell = 2.0 * k;
        let key = |(x, y): (f64, f64)| ((x / cell).floor() as i64, (y / cell).floor() as i64);
        let mut grid: std::collections::HashMap<(i64, i64), Vec<usize>> = Default::default();
        for (i, point) in at.iter().enumerate() {
            grid.entry(key(*point)).or_default().push(i);
        }
        for i in 0..n {
            let (cx, cy) = key(at[i]);
            for gx in cx - 1..=cx + 1 {
                for gy in cy - 1..=cy + 1 {
                    let Some(others) = grid.get(&(gx, gy)) else {
                        continue;
                    };
                    for &j in others {
                        if j == i {
                            continue;
                        }
                        let (dx, dy) = (at[i].0 - at[j].0, at[i].1 - at[j].1);
                        let distance = (dx * dx + dy * dy).sqrt().max(0.01);
                        if distance > cell {
                            continue;
                        }
                        let force = k * k / distance;
                        moves[i].0 += dx / distance * force;
                        moves[i].1 += dy / distance * force;
                    }
                }
            }
        }
        for &(a, b) in &edges {
            let (dx, dy) = (at[a].0 - at[b].0, at[a].1 - at[b].1);
            let distance = (dx * dx + dy * dy).sqrt().max(0.01);
            let force = distance * distance / k;
            let (fx, fy) = (dx / distance * force, dy / distance * force);
            moves[a].0 -= fx;
            moves[a].1 -= fy;
            moves[b].0 += fx;
            moves[b].1 += fy;
        }
        // A pull towards the middle keeps loose clusters off the drawing's edges.
        for i in 0..n {
            moves[i].0 -= (at[i].0 - width / 2.0) * GRAVITY;
            moves[i].1 -= (at[i].1 - height / 2.0) * GRAVITY;
        }
        for i in 0..n {
            let (mx, my) = moves[i];
            let length = (mx * mx + my * my).sqrt().max(0.01);
            let step = length.min(temperature);
            at[i].0 += mx / length * step;
            at[i].1 += my / length * step;
        }
        temperature = (temperature * cooling).max(1.0);
    }
    fit(&mut at, width, height);
    at
}

/// Scales and moves the layout to fill the drawing within its margins, keeping its shape.
fn fit(at: &mut [(f64, f64)], width: f64, height: f64) {
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in at.iter() {
        (min_x, min_y, max_x, max_y) = (min_x.min(x), min_y.min(y), max_x.max(x), max_y.max(y));
    }
    let (span_x, span_y) = ((max_x - min_x).max(1.0), (max_y - min_y).max(1.0));
    let scale = ((width - 2.0 * MARGIN) / span_x).min((height - 2.0 * MARGIN) / span_y);
    let (offset_x, offset_y) = (
        (width - span_x * scale) / 2.0,
        (height - span_y * scale) / 2.0,
    );
    for point in at.iter_mut() {
        point.0 = offset_x + (point.0 - min_x) * scale;
        point.1 = offset_y + (point.1 - min_y) * scale;
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Where a node leads: a case's page, a record's page.
fn href(id: &str, kind: &str) -> Option<String> {
    if kind == "case" {
        let case = id.strip_prefix("case:")?;
        return case.parse::<i64>().ok().map(|id| format!("/cases/{id}"));
    }
    if kind == "record" {
        let mut parts = id.strip_prefix("record:")?.split(':');
        let (record_kind, record) = (parts.next()?, parts.next()?.parse::<i64>().ok()?);
        let path = match record_kind {
            "document" => "documents",
            "vehicle" => "vehicles",
            "person" => "persons",
            _ => return None,
        };
        return Some(format!("/records/{path}/{record}"));
    }
    None
}

fn kind_class(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(k, _)| *k)
        .unwrap_or("other")
}

/// The part of a network that is drawn: all of it up to [`DRAWN_MAX`] nodes, else the case's
/// own nodes, then cases, then the rest nearest first, and only the edges between those kept.
pub(crate) fn drawn(network: &NetworkView) -> std::borrow::Cow<'_, NetworkView> {
    if network.nodes.len() <= DRAWN_MAX {
        return std::borrow::Cow::Borrowed(network);
    }
    let mut order: Vec<&palermo_hub::cases::NetworkNode> = network.nodes.iter().collect();
    order.sort_by_key(|node| (node.hop, !node.kind.starts_with("case")));
    let nodes: Vec<_> = order.into_iter().take(DRAWN_MAX).cloned().collect();
    let kept: std::collections::HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let edges = network
        .edges
        .iter()
        .filter(|e| kept.contains(e.from.as_str()) && kept.contains(e.to.as_str()))
        .cloned()
        .collect();
    std::borrow::Cow::Owned(NetworkView {
        nodes,
        edges,
        truncated: true,
        common_links_left_out: network.common_links_left_out,
    })
}

/// The network as an SVG document: edges, then nodes with their labels; every text escaped.
/// At most [`DRAWN_MAX`] nodes are drawn (see [`drawn`]).
pub(crate) fn svg(network: &NetworkView) -> String {
    let network = &*drawn(network);
    let at = layout(network);
    let (width, height) = size(network.nodes.len());
    let label_all = network.nodes.len() <= LABELS_ALL_MAX;
    let index: std::collections::HashMap<&str, usize> = network
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 {width} {height}" role="img" aria-labelledby="network-title"><title id="network-title">The case's network: {} entities, {} links</title>"#,
        network.nodes.len(),
        network.edges.len()
    );
    for edge in &network.edges {
        let (Some(&a), Some(&b)) = (index.get(edge.from.as_str()), index.get(edge.to.as_str()))
        else {
            continue;
        };
        let shared = !matches!(
            edge.kind.as_str(),
            "in-case" | "used-by" | "holder" | "member-of"
        );
        let _ = write!(
            out,
            r#"<line class="edge{}" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"><title>{}</title></line>"#,
            if shared { " shared" } else { "" },
            at[a].0,
            at[a].1,
            at[b].0,
            at[b].1,
            escape(&edge.kind)
        );
    }
    for (i, node) in network.nodes.iter().enumerate() {
        let (x, y) = at[i];
        let radius = if node.kind == "case" || node.kind == "case-restricted" {
            14
        } else {
            8
        };
        let labelled = label_all || node.hop == 0 || node.kind.starts_with("case");
        let label: String = if labelled {
            node.label.chars().take(28).collect()
        } else {
            String::new()
        };
        let title = format!(
            "{} — {}{}",
            node.kind,
            node.label,
            node.country
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        );
        let shape = format!(
            r#"<g class="node node-{}{}" data-node="{}"><circle cx="{x:.1}" cy="{y:.1}" r="{radius}"/><text x="{:.1}" y="{:.1}">{}</text><title>{}</title></g>"#,
            kind_class(&node.kind),
            if node.hop == 0 { " own" } else { "" },
            escape(&node.id),
            x + radius as f64 + 3.0,
            y + 4.0,
            escape(&label),
            escape(&title)
        );
        match href(&node.id, &node.kind) {
            Some(link) => {
                let _ = write!(out, r#"<a href="{}">{shape}</a>"#, escape(&link));
            }
            None => out.push_str(&shape),
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use palermo_hub::cases::{NetworkEdge, NetworkNode};

    fn node(id: &str, kind: &str, label: &str) -> NetworkNode {
        NetworkNode {
            id: id.into(),
            kind: kind.into(),
            label: label.into(),
            country: None,
            coordinates: None,
            hop: 0,
        }
    }

    #[test]
    fn labels_are_escaped_and_cases_are_links() {
        let network = NetworkView {
            nodes: vec![
                node("case:1", "case", "FRA-1"),
                node("case:1/s1", "suspect", "<script>alert(1)</script>"),
                node("record:person:7", "record", "person 7"),
            ],
            edges: vec![NetworkEdge {
                from: "case:1".into(),
                to: "case:1/s1".into(),
                kind: "in-case".into(),
                score: 1.0,
            }],
            truncated: false,
            common_links_left_out: 0,
        };
        let drawn = svg(&network);
        assert!(!drawn.contains("<script>"), "{drawn}");
        assert!(drawn.contains("&lt;script&gt;"));
        assert!(drawn.contains(r#"href="/cases/1""#));
        assert!(drawn.contains(r#"href="/records/persons/7""#));
        assert_eq!(drawn.matches("<circle").count(), 3);
    }

    #[test]
    fn a_large_network_is_drawn_in_part_and_quickly() {
        let mut nodes = vec![node("case:1", "case", "FRA-1")];
        nodes.extend((0..3000).map(|i| NetworkNode {
            hop: 1,
            ..node(&format!("case:2/e{i}"), "phone", "p")
        }));
        let edges = (0..3000)
            .map(|i| NetworkEdge {
                from: "case:1".into(),
                to: format!("case:2/e{i}"),
                kind: "phone".into(),
                score: 1.0,
            })
            .collect();
        let network = NetworkView {
            nodes,
            edges,
            truncated: false,
            common_links_left_out: 0,
        };
        let part = drawn(&network);
        assert_eq!(part.nodes.len(), DRAWN_MAX);
        assert!(part.truncated);
        assert_eq!(part.nodes[0].id, "case:1", "the case itself is kept");
        assert_eq!(part.edges.len(), DRAWN_MAX - 1);
        let started = std::time::Instant::now();
        let drawing = svg(&network);
        assert_eq!(drawing.matches("<circle").count(), DRAWN_MAX);
        // A bound on the work, not a timing: even a debug build draws it in well under a minute.
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
    }

    #[test]
    fn the_layout_is_the_same_each_time_and_within_the_drawing() {
        let nodes: Vec<NetworkNode> = (0..40)
            .map(|i| node(&format!("case:1/e{i}"), "phone", "p"))
            .collect();
        let edges = (1..40)
            .map(|i| NetworkEdge {
                from: "case:1/e0".into(),
                to: format!("case:1/e{i}"),
                kind: "in-case".into(),
                score: 1.0,
            })
            .collect();
        let network = NetworkView {
            nodes,
            edges,
            truncated: false,
            common_links_left_out: 0,
        };
        let first = layout(&network);
        assert_eq!(first, layout(&network));
        let (width, height) = size(40);
        for (x, y) in &first {
            // Within the margins (a rounding's worth of slack).
            assert!(
                (MARGIN - 0.01..=width - MARGIN + 0.01).contains(x)
                    && (MARGIN - 0.01..=height - MARGIN + 0.01).contains(y),
                "({x}, {y})"
            );
        }
        // Nodes are spread out, not piled on one another.
        let mut closest = f64::MAX;
        for i in 0..first.len() {
            for j in (i + 1)..first.len() {
                let d =
                    ((first[i].0 - first[j].0).powi(2) + (first[i].1 - first[j].1).powi(2)).sqrt();
                closest = closest.min(d);
            }
        }
        assert!(closest > 5.0, "closest pair {closest}");
    }
}
