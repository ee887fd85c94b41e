'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

const STORAGE_KEY = 'ich-triage.worklist.alert-sound';

/** Two short rising beeps (~0.4 s): distinct from a phone, quiet enough for a reading room. */
function playTone(ctx: AudioContext): void {
  const start = ctx.currentTime + 0.02;
  [880, 1175].forEach((freq, i) => {
    const t = start + i * 0.2;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    // A short attack and release: a bare oscillator start/stop clicks.
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.16);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.18);
  });
}

export interface AlertSound {
  enabled: boolean;
  toggle: () => void;
  /** Tones played since the page opened (shown to tests and screen readers as a count). */
  played: number;
}

/**
 * The opt-in audible alert: one tone per new flagged study (`latestSeq` changes), never on page
 * load. Browsers keep audio suspended until a user gesture, so the choice is made by a click (which
 * also unlocks it) and remembered; after a reload the first click or key on the page unlocks it.
 */
export function useAlertSound(latestSeq: number | undefined): AlertSound {
  const [enabled, setEnabled] = useState(false);
  const [played, setPlayed] = useState(0);
  const ctxRef = useRef<AudioContext | null>(null);
  const lastSeq = useRef(latestSeq);

  const context = useCallback((): AudioContext | null => {
    if (typeof AudioContext === 'undefined') return null;
    ctxRef.current ??= new AudioContext();
    if (ctxRef.current.state === 'suspended') void ctxRef.current.resume();
    return ctxRef.current;
  }, []);

  // The stored choice is read after hydration: the server cannot know it.
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- localStorage exists only in the browser
    if (window.localStorage.getItem(STORAGE_KEY) === 'on') setEnabled(true);
  }, []);

  useEffect(() => {
    if (!enabled) return;
    const unlock = () => context();
    window.addEventListener('pointerdown', unlock, { once: true });
    window.addEventListener('keydown', unlock, { once: true });
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, [enabled, context]);

  useEffect(() => {
    if (latestSeq === undefined || latestSeq === lastSeq.current) return;
    lastSeq.current = latestSeq;
    if (!enabled) return;
    const ctx = context();
    if (!ctx) return;
    playTone(ctx);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- counts a side effect that just happened
    setPlayed((n) => n + 1);
  }, [latestSeq, enabled, context]);

  const toggle = useCallback(() => {
    const on = !enabled;
    window.localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
    setEnabled(on);
    // Turning it on is a user gesture: unlock audio now and let the user hear what it sounds like.
    const ctx = on ? context() : null;
    if (ctx) playTone(ctx);
  }, [enabled, context]);

  return { enabled, toggle, played };
}
