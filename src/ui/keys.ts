/**
 * Keyboard routing. The app subscribes to input once (useKeyRouter); each screen claims the keyboard with useKeys
 * in a layout effect, which runs as the screen is committed. Ink's own useInput subscribes in a passive effect that
 * can run a few hundred milliseconds later, so keys typed right after a screen change would reach the screen that
 * just left.
 */
import { useInput, type Key } from 'ink';
import { createContext, useContext, useLayoutEffect, useRef, type RefObject } from 'react';
import { splitKeys } from './split-keys.js';
import { useStatus } from './status.js';

export type KeyHandler = (input: string, key: Key) => void;

interface KeySlot {
  handler: KeyHandler;
  /** A text field takes a multi-character chunk as a paste; other screens get its keys one by one. */
  text: boolean;
}

const KeySlotContext = createContext<RefObject<KeySlot | undefined> | undefined>(undefined);
export const KeySlotProvider = KeySlotContext.Provider;

/**
 * The app's single input subscription: Ctrl-C to `onInterrupt`, everything else to the screen in front. Keys split
 * from one chunk are handed over one per macrotask, so a key that changes the screen (Enter) is committed before
 * the next one (c) is routed: it then reaches the new screen, as it would have if typed slower.
 */
export function useKeyRouter(onInterrupt: () => void): RefObject<KeySlot | undefined> {
  const slot = useRef<KeySlot | undefined>(undefined);
  const queue = useRef<Array<readonly [string, Key]>>([]);
  const draining = useRef(false);
  const drain = () => {
    const next = queue.current.shift();
    if (!next) {
      draining.current = false;
      return;
    }
    const [input, key] = next;
    if (key.ctrl && input === 'c') {
      queue.current = [];
      draining.current = false;
      return onInterrupt();
    }
    slot.current?.handler(input, key);
    setTimeout(drain, 0);
  };
  useInput((input, key) => {
    queue.current.push(...(slot.current?.text ? [[input, key] as const] : splitKeys(input, key)));
    if (draining.current) return;
    draining.current = true;
    drain();
  });
  return slot;
}

/** Gives the keyboard to this screen while it is mounted; `text` for screens that take typed or pasted text. */
export function useKeys(handler: KeyHandler, options: { text?: boolean } = {}): void {
  const text = options.text ?? false;
  const slot = useContext(KeySlotContext);
  const status = useStatus();
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  useLayoutEffect(() => {
    if (!slot) return;
    const route: KeySlot = {
      text,
      handler: (input, key) => {
        status.clear();
        latest.current(input, key);
      },
    };
    slot.current = route;
    return () => {
      if (slot.current === route) slot.current = undefined;
    };
  }, [slot, status, text]);
}
