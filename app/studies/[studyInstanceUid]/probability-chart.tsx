'use client';

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { LABELS, type LabelRecord } from '@/lib/labels';
import type { SliceResult } from '@/lib/study-detail';
import { formatPercent } from '../../worklist/format';
import { LABEL_COLOURS } from './label-colours';

const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };
const Y_AXIS_WIDTH = 44;

/**
 * The slice nearest a click, from the plot's own geometry (fixed margins and axis width, so the
 * plot spans them exactly): a click anywhere along the study picks a slice, not only on a dot.
 */
function nearestSlice(data: readonly { x: number }[], clientX: number, rect: DOMRect): number {
  const left = rect.left + MARGIN.left + Y_AXIS_WIDTH;
  const width = rect.width - MARGIN.left - Y_AXIS_WIDTH - MARGIN.right;
  const xs = data.map((d) => d.x);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const x = min + (Math.min(Math.max(clientX - left, 0), width) / Math.max(1, width)) * (max - min);
  return xs.reduce((best, v, i) => (Math.abs(v - x) < Math.abs(xs[best]! - x) ? i : best), 0);
}

interface Props {
  stack: readonly SliceResult[];
  index: number;
  operatingPoints: LabelRecord<number> | null;
  /** The study-level "any" point the study was decided by (its flag), when it has been decided. */
  studyPoint?: number | null;
  onSelect: (index: number) => void;
}

/**
 * The six labels along the study (slice position in mm, or slice number when positions are
 * unknown), the "any" operating point, and the slice on screen; a click jumps the viewer there.
 */
export function ProbabilityChart({ stack, index, operatingPoints, studyPoint = null, onSelect }: Props) {
  const byPosition = stack.every((s) => s.position !== null);
  const data = stack.map((s, i) => ({ i, x: byPosition ? s.position! : i + 1, ...(s.probabilities ?? {}) }));
  const current = data[index]?.x;
  const scored = stack.filter((s) => s.probabilities).length;
  const peak = stack.reduce<number>((best, s, i) => ((s.probabilities?.any ?? -1) > (stack[best]?.probabilities?.any ?? -1) ? i : best), 0);
  const threshold = operatingPoints?.any;

  if (scored === 0) return <p className="text-sm text-muted">No slice has been scored yet.</p>;
  return (
    <figure className="flex flex-col gap-1" data-testid="probability-chart">
      <figcaption className="sr-only">
        Probability per label along the study, {scored} slices scored. Highest "any": slice {peak + 1} at {formatPercent(stack[peak]?.probabilities?.any ?? 0)}.
        {studyPoint !== null && ` The study is flagged at "any" ${formatPercent(studyPoint)}.`}
        {threshold !== undefined && ` Slice-level point for any: ${formatPercent(threshold)}.`}
      </figcaption>
      <div className="h-56 w-full cursor-pointer" onClick={(e) => onSelect(nearestSlice(data, e.clientX, e.currentTarget.getBoundingClientRect()))}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart
            data={data}
            margin={MARGIN}
          >
            <CartesianGrid stroke="#243244" strokeDasharray="2 4" />
            <XAxis
              dataKey="x"
              type="number"
              domain={['dataMin', 'dataMax']}
              tick={{ fill: '#9fb0c3', fontSize: 12 }}
              tickFormatter={(v: number) => (byPosition ? `${Math.round(v)}` : `${v}`)}
              label={{ value: byPosition ? 'slice position (mm)' : 'slice', position: 'insideBottomRight', offset: -2, fill: '#9fb0c3', fontSize: 11 }}
              height={32}
            />
            <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} tick={{ fill: '#9fb0c3', fontSize: 12 }} width={Y_AXIS_WIDTH} />
            <Tooltip
              contentStyle={{ background: '#111923', border: '1px solid #243244', color: '#e6edf5', fontSize: 12 }}
              labelFormatter={(_, payload) => {
                const i = (payload?.[0]?.payload as { i?: number } | undefined)?.i;
                return i === undefined ? '' : `Slice ${i + 1}${byPosition ? ` · z ${stack[i]?.position?.toFixed(1)} mm` : ''}`;
              }}
              formatter={(v) => (typeof v === 'number' ? formatPercent(v) : String(v))}
            />
            <Legend wrapperStyle={{ fontSize: 12, color: '#9fb0c3' }} />
            {/* Two different points, named apart: the study's flag is decided at the study point; the
                slice point (often far lower) alone read as "every slice is over the threshold". */}
            {studyPoint !== null && (
              <ReferenceLine y={studyPoint} stroke={LABEL_COLOURS.any} strokeDasharray="6 4" label={{ value: `flags the study at ${formatPercent(studyPoint)}`, fill: LABEL_COLOURS.any, fontSize: 11, position: 'insideTopLeft' }} />
            )}
            {threshold !== undefined && threshold !== studyPoint && (
              <ReferenceLine y={threshold} stroke="#9fb0c3" strokeOpacity={0.6} strokeDasharray="2 4" label={{ value: `slice point ${formatPercent(threshold)}`, fill: '#9fb0c3', fontSize: 11, position: 'insideTopRight' }} />
            )}
            {current !== undefined && <ReferenceLine x={current} stroke="#e6edf5" strokeWidth={1.5} />}
            {LABELS.map((l) => (
              <Line
                key={l}
                dataKey={l}
                name={l}
                stroke={LABEL_COLOURS[l]}
                strokeWidth={l === 'any' ? 2.5 : 1.25}
                dot={l === 'any' ? { r: 2.5, fill: LABEL_COLOURS.any } : false}
                activeDot={{ r: 5 }}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
