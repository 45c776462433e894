/*
 * A hand-drawn canvas line chart (a few hundred bytes instead of a chart
 * library): axes with a light grid, any number of series, sharp on high
 * density screens. Redraw by calling draw() again.
 */

import { themeColor } from "./theme";

export interface Series {
	color: string;
	label: string;
	points: [number, number][];
	dashed?: boolean;
	dots?: boolean;
	width?: number;
}

export interface ChartOptions {
	xMin: number;
	xMax: number;
	yMin: number;
	yMax: number;
	xStep: number;
	yStep: number;
	xFormat?: (v: number) => string;
	yFormat?: (v: number) => string;
	/** A vertical marker (e.g. the current speed). */
	marker?: number;
}

export function drawChart(canvas: HTMLCanvasElement, series: Series[], o: ChartOptions): void {
	const dpr = window.devicePixelRatio || 1;
	const cssW = canvas.clientWidth || 300,
		cssH = canvas.clientHeight || 180;
	if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
		canvas.width = Math.round(cssW * dpr);
		canvas.height = Math.round(cssH * dpr);
	}
	const g = canvas.getContext("2d");
	if (!g) return;
	g.setTransform(dpr, 0, 0, dpr, 0, 0);
	g.clearRect(0, 0, cssW, cssH);
	const left = 38,
		right = 8,
		top = 8,
		bottom = 22;
	const w = cssW - left - right,
		hgt = cssH - top - bottom;
	const X = (v: number) => left + ((v - o.xMin) / (o.xMax - o.xMin || 1)) * w;
	const Y = (v: number) => top + hgt - ((v - o.yMin) / (o.yMax - o.yMin || 1)) * hgt;
	g.font = "12px system-ui, sans-serif";
	g.lineWidth = 1;
	g.strokeStyle = themeColor("--chart-grid", "#c8ccd2");
	g.fillStyle = themeColor("--chart-text", "#333");
	g.textAlign = "right";
	g.textBaseline = "middle";
	for (let v = o.yMin; v <= o.yMax + 1e-9; v += o.yStep) {
		g.beginPath();
		g.moveTo(left, Y(v));
		g.lineTo(left + w, Y(v));
		g.stroke();
		g.fillText((o.yFormat ?? String)(v), left - 4, Y(v));
	}
	g.textAlign = "center";
	g.textBaseline = "top";
	const first = Math.ceil(o.xMin / o.xStep) * o.xStep;
	for (let v = first; v <= o.xMax + 1e-9; v += o.xStep) {
		g.beginPath();
		g.moveTo(X(v), top);
		g.lineTo(X(v), top + hgt);
		g.stroke();
		g.fillText((o.xFormat ?? String)(v), Math.min(Math.max(X(v), left + 8), left + w - 8), top + hgt + 5);
	}
	g.strokeStyle = themeColor("--chart-frame", "#444");
	g.strokeRect(left, top, w, hgt);
	if (o.marker !== undefined && o.marker >= o.xMin && o.marker <= o.xMax) {
		g.strokeStyle = themeColor("--chart-text", "#111");
		g.setLineDash([2, 3]);
		g.beginPath();
		g.moveTo(X(o.marker), top);
		g.lineTo(X(o.marker), top + hgt);
		g.stroke();
		g.setLineDash([]);
	}
	g.save();
	g.beginPath();
	g.rect(left, top - 2, w, hgt + 4);
	g.clip();
	for (const s of series) {
		if (!s.points.length) continue;
		g.strokeStyle = s.color;
		g.fillStyle = s.color;
		g.lineWidth = s.width ?? 2.5;
		g.lineJoin = "round";
		g.setLineDash(s.dashed ? [7, 5] : []);
		g.beginPath();
		s.points.forEach(([x, y], i) => (i ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y))));
		g.stroke();
		g.setLineDash([]);
		if (s.dots)
			for (const [x, y] of s.points) {
				g.beginPath();
				g.arc(X(x), Y(y), 4, 0, 7);
				g.fill();
			}
	}
	g.restore();
}
