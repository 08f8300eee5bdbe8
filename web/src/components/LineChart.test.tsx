import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LineChart } from './LineChart.tsx';

describe('LineChart', () => {
  it('renders a uPlot chart with a legend entry per series and takes new data in place', () => {
    const { container, rerender } = render(
      <LineChart title="temperature over time" data={[[1000, 2000], [20, 21]]} series={[{ label: 'temperature', color: '#00f' }]} />,
    );
    expect(container.querySelectorAll('.uplot')).toHaveLength(1);
    expect([...container.querySelectorAll('.u-legend .u-label')].map((e) => e.textContent)).toEqual(['time', 'temperature']);
    const canvas = container.querySelector('canvas');
    rerender(<LineChart title="temperature over time" data={[[1000, 2000, 3000], [20, 21, 22]]} series={[{ label: 'temperature', color: '#00f' }]} />);
    expect(container.querySelector('canvas')).toBe(canvas);
  });
});
