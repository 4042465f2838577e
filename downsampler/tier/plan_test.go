package tier

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/nexclipper/nexclipper/downsampler"
)

const (
	raw  = downsampler.ResLevel0
	r5m  = downsampler.ResLevel1
	r1h  = downsampler.ResLevel2
	hour = int64(time.Hour / time.Millisecond)
	day  = 24 * hour
)

func TestPreferredResolution(t *testing.T) {
	f := func(maxRes, step, rng, want int64) {
		t.Helper()
		if got := preferredResolution(maxRes, step, rng); got != want {
			t.Errorf("preferredResolution(%d, step %d, range %d) = %s, want %s", maxRes, step, rng, ResolutionName(got), ResolutionName(want))
		}
	}
	m := int64(time.Minute / time.Millisecond)
	f(Auto, 0, 0, raw)        // instant selector
	f(Auto, 15*1000, 0, raw)  // 15s step
	f(Auto, 24*m, 0, raw)     // step/5 just under 5m
	f(Auto, 25*m, 0, r5m)     // step/5 = 5m
	f(Auto, hour, 0, r5m)     // 12m
	f(Auto, 5*hour, 0, r1h)   // 1h
	f(Auto, day, 0, r1h)      // coarser than any tier
	f(Auto, day, 5*m, raw)    // rate(x[5m]) at step 1d: the range caps it
	f(Auto, day, hour, r5m)   // rate(x[1h]) at step 1d
	f(Auto, 0, 30*day, r1h)   // instant max_over_time(x[30d])
	f(raw, day, 30*day, raw)  // explicit raw
	f(r5m, day, day, r5m)     // explicit 5m, even where 1h would fit
	f(10*m, hour, 0, r5m)     // any duration: the coarsest tier within it
	f(r1h, 15*1000, 5*m, r1h) // explicit is not capped by range
}

func TestPreferenceOrder(t *testing.T) {
	f := func(pref int64, strict bool, want ...int64) {
		t.Helper()
		if got := preferenceOrder(pref, strict); !reflect.DeepEqual(got, want) {
			t.Errorf("preferenceOrder(%s, strict=%v) = %v, want %v", ResolutionName(pref), strict, got, want)
		}
	}
	f(raw, false, raw, r5m, r1h)
	f(r5m, false, r5m, raw, r1h)
	f(r1h, false, r1h, r5m, raw)
	f(raw, true, raw)
	f(r5m, true, r5m, raw)
}

func TestPlan(t *testing.T) {
	// Raw from day 15 on, 5m for days 0..27, 1h for days 0..19 but day 5..9 missing.
	holds := map[int64][]Interval{
		raw: {{15 * day, math.MaxInt64}},
		r5m: {{0, 28 * day}},
		r1h: {{0, 5 * day}, {10 * day, 20 * day}},
	}
	f := func(mint, maxt int64, order []int64, want ...segment) {
		t.Helper()
		if got := plan(mint, maxt, order, holds); !reflect.DeepEqual(got, want) {
			t.Errorf("plan(%d, %d, %v):\n got %v\nwant %v", mint, maxt, order, got, want)
		}
	}
	// Prefer 5m over 30 days: 5m where it has data, raw after it.
	f(0, 30*day, []int64{r5m, raw, r1h}, segment{r5m, 0, 28*day - 1}, segment{raw, 28 * day, 30 * day})
	// Prefer 1h: 1h where it is, the gap from 5m, then 5m, then raw.
	f(0, 30*day, []int64{r1h, r5m, raw},
		segment{r1h, 0, 5*day - 1}, segment{r5m, 5 * day, 10*day - 1}, segment{r1h, 10 * day, 20*day - 1},
		segment{r5m, 20 * day, 28*day - 1}, segment{raw, 28 * day, 30 * day})
	// Prefer raw: raw where it is, the older part (past raw retention) from 5m.
	f(10*day, 20*day, []int64{raw, r5m, r1h}, segment{r5m, 10 * day, 15*day - 1}, segment{raw, 15 * day, 20 * day})
	// Strict raw: the older part is left out.
	f(10*day, 20*day, []int64{raw}, segment{raw, 15 * day, 20 * day})
	// Nothing holds time before 0.
	f(-2*day, -day, []int64{raw, r5m, r1h})
}
