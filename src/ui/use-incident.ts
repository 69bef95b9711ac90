/** What the pasted error says, re-read shortly after each change so the form can show and use it before Enter. */
import { useEffect, useState } from 'react';
import type { Incident } from '../model/incident.js';
import { errorLines } from './form-model.js';
import type { AppServices } from './services.js';

const PARSE_DELAY_MS = 120;

export function useIncident(pasted: string, parse: AppServices['parse']): Incident {
  const [incident, setIncident] = useState<Incident>({});
  useEffect(() => {
    const lines = errorLines(pasted);
    if (!lines.length) {
      setIncident({});
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      parse(lines).then(
        (found) => live && setIncident(found),
        () => live && setIncident({}),
      );
    }, PARSE_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [pasted, parse]);
  return incident;
}
