import { type Pacing, RequestPacer } from './request-pacer.js';

function fakeClock(): { pacing: Pacing; sleeps: number[]; now: () => number } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    pacing: {
      nowMs: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    },
    sleeps,
    now: () => now,
  };
}

describe('RequestPacer', () => {
  it('spaces requests 1/rate apart, the first at once', async () => {
    const clock = fakeClock();
    const pacer = new RequestPacer(2, clock.pacing);
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pacer.take();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 500, 1000, 1500]);
  });

  it('does not wait when the caller was slower than the rate anyway, and never saves up past the burst', async () => {
    const clock = fakeClock();
    const pacer = new RequestPacer(2, clock.pacing);
    await pacer.take();
    await clock.pacing.sleep(5000); // a slow page: no credit beyond one request
    clock.sleeps.length = 0;
    await pacer.take();
    await pacer.take();
    expect(clock.sleeps).toEqual([500]);
  });

  it('serves concurrent callers in order, each in its own slot', async () => {
    const clock = fakeClock();
    const pacer = new RequestPacer(1, clock.pacing);
    const times: number[] = [];
    await Promise.all([0, 1, 2].map(() => pacer.take().then(() => times.push(clock.now()))));
    expect(times).toEqual([0, 1000, 2000]);
  });

  it('allows a burst when asked to', async () => {
    const clock = fakeClock();
    const pacer = new RequestPacer(1, clock.pacing, 3);
    for (let i = 0; i < 4; i++) await pacer.take();
    expect(clock.sleeps).toEqual([1000]);
  });

  it('refuses a rate of zero', () => {
    expect(() => new RequestPacer(0)).toThrow(RangeError);
  });
});
