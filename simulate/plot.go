package simulate

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot draws the run's write latency per second (p99 of each worker
// kind's writes that started in that second) across its phases, each
// phase's start marked, to a PNG or SVG file (by its extension). A stall
// shows as a spike at the phase that caused it; the phases with no DDL
// (baseline, expanded, contracted) are the level to compare it with.
func (r *Report) Plot(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("--plot %s: the file must end in .png or .svg", path)
	}
	if len(r.Series) == 0 {
		return fmt.Errorf("--plot %s: the run recorded no writes to plot", path)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s upgrade %s -> %s: write latency per second", r.Mode, r.Old, r.New)
	p.X.Label.Text = "seconds since the workers started"
	p.Y.Label.Text = "p99 write latency (ms, log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	lo, hi := math.Inf(1), 0.0
	colors := map[Kind]color.Color{Old: color.RGBA{R: 200, G: 60, B: 40, A: 255}, New: color.RGBA{R: 40, G: 90, B: 200, A: 255}}
	for _, k := range []Kind{Old, New} {
		// A second without writes (the workers held while the rows are
		// verified, or not started) breaks the line rather than bridging it.
		var segs []plotter.XYs
		last := -2
		for _, s := range r.Series {
			if s.Kind != k || s.Writes == 0 {
				continue
			}
			ms := max(float64(s.P99)/float64(time.Millisecond), 0.01)
			if s.At != last+1 || len(segs) == 0 {
				segs = append(segs, nil)
			}
			segs[len(segs)-1] = append(segs[len(segs)-1], plotter.XY{X: float64(s.At) + 0.5, Y: ms})
			last = s.At
			lo, hi = math.Min(lo, ms), math.Max(hi, ms)
		}
		for i, pts := range segs {
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.Color = colors[k]
			l.Width = vg.Points(1.2)
			p.Add(l)
			if i == 0 {
				p.Legend.Add(k.String()+"-release writes, p99", l)
			}
		}
	}
	lo, hi = lo/1.5, hi*3
	p.Y.Min, p.Y.Max = lo, hi
	var labels plotter.XYLabels
	for _, ph := range r.Phases {
		x := ph.Start.Seconds()
		edge, err := plotter.NewLine(plotter.XYs{{X: x, Y: lo}, {X: x, Y: hi}})
		if err != nil {
			return err
		}
		edge.Color = color.Gray{Y: 150}
		edge.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(edge)
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: hi / 1.3})
		labels.Labels = append(labels.Labels, " "+ph.Name)
	}
	if len(labels.XYs) > 0 {
		ls, err := plotter.NewLabels(labels)
		if err != nil {
			return err
		}
		for i := range ls.TextStyle {
			ls.TextStyle[i].Rotation = -math.Pi / 2
			ls.TextStyle[i].XAlign = draw.XLeft
			ls.TextStyle[i].Font.Size = vg.Points(8)
		}
		p.Add(ls)
	}
	return p.Save(24*vg.Centimeter, 12*vg.Centimeter, path)
}
