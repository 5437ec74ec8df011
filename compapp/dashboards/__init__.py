"""Home-page dashboards: per-role summaries counted in SQL, drawn as server-side SVG charts."""
