// A searchable device combobox for fleets of any size: the server searches (by name, id, type,
// location) as the user types, twenty matches at a time, so every device can be found. It follows
// the ARIA combobox pattern: arrow keys move through the options, Enter picks, Escape closes.
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import type { Device, DeviceList } from '../api/types.ts';
import { useApp } from '../session.tsx';
import { ErrorText } from './ui.tsx';

/** How many matches one search shows; typing more narrows them. */
export const PICKER_LIMIT = 20;
/** Wait this long after the last key before asking the server. */
export const SEARCH_DEBOUNCE_MS = 250;

export function pickerSearchPath(text: string): string {
  const q = text.trim();
  return `/api/v1/devices?${q ? `q=${encodeURIComponent(q)}&` : ''}sort=name&order=asc&limit=${PICKER_LIMIT}`;
}

type Option = { id: string; name: string; all?: true };

export interface DevicePickerProps {
  /** The accessible name of the input (also its visible label unless `hideLabel`). */
  label: string;
  /** The chosen device id; '' for none (or for "all" when `allLabel` is given). */
  value: string;
  onChange: (id: string) => void;
  /** Offers a first choice with value '' under this name (e.g. "all my devices"). */
  allLabel?: string;
  hideLabel?: boolean;
  required?: boolean;
  placeholder?: string;
}

export function DevicePicker({ label, value, onChange, allLabel, hideLabel, required, placeholder = 'Search devices…' }: DevicePickerProps) {
  const { api } = useApp();
  const id = useId();
  const listId = `${id}-list`;
  const input = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(false);
  /** The latest answer, with the search it answers (older answers are not shown as current). */
  const [result, setResult] = useState<{ search: string; devices: Device[]; total: number }>();
  const [error, setError] = useState<unknown>();
  const [active, setActive] = useState(-1);
  /** Names of devices seen in results or looked up, so the chosen one shows by name. */
  const [names, setNames] = useState<Record<string, string>>({});

  // The chosen device's name, looked up when the value comes from outside (a saved choice).
  useEffect(() => {
    if (!value || names[value] !== undefined) return;
    let live = true;
    api.get<Device>(`/api/v1/devices/${encodeURIComponent(value)}`).then(
      (d) => live && setNames((n) => ({ ...n, [d.id]: d.name })),
      () => live && setNames((n) => ({ ...n, [value]: value })),
    );
    return () => {
      live = false;
    };
  }, [api, value, names]);

  // A required picker is only satisfied by a chosen device, not by typed text.
  useEffect(() => {
    input.current?.setCustomValidity(required && !value ? 'Choose a device from the list' : '');
  }, [required, value]);

  const search = editing ? text.trim() : '';
  // Debounced server search while the list is open.
  useEffect(() => {
    if (!open) return;
    let live = true;
    const timer = setTimeout(() => {
      api.get<DeviceList>(pickerSearchPath(search)).then(
        (r) => {
          if (!live) return;
          setResult({ search, devices: r.devices, total: r.total });
          setError(undefined);
          setNames((n) => ({ ...n, ...Object.fromEntries(r.devices.map((d) => [d.id, d.name])) }));
        },
        (err: unknown) => live && setError(err),
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, open, search]);

  const current = result?.search === search ? result : undefined;
  const options: Option[] = [...(allLabel !== undefined && !search ? [{ id: '', name: allLabel, all: true as const }] : []), ...(current?.devices ?? [])];
  const shown = editing ? text : value ? (names[value] ?? value) : (allLabel ?? '');

  const close = () => {
    setOpen(false);
    setEditing(false);
    setActive(-1);
  };
  const pick = (o: Option) => {
    if (!o.all) setNames((n) => ({ ...n, [o.id]: o.name }));
    onChange(o.id);
    close();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) {
        setOpen(true);
        return;
      }
      const n = options.length;
      if (n === 0) return;
      setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % n : a <= 0 ? n - 1 : a - 1));
    } else if (e.key === 'Enter') {
      // Enter picks the highlighted option; it never submits the surrounding form from here.
      if (open) e.preventDefault();
      const o = options[active];
      if (open && o) pick(o);
    } else if (e.key === 'Escape') {
      if (open) {
        // Close the list only, not a dialog around it.
        e.stopPropagation();
        close();
      }
    } else if (e.key === 'Tab') {
      close();
    }
  };

  const activeId = open && options[active] ? `${id}-opt-${active}` : undefined;
  const field = (
    <input
      ref={input}
      role="combobox"
      aria-label={hideLabel ? label : undefined}
      aria-expanded={open}
      aria-controls={listId}
      aria-autocomplete="list"
      aria-activedescendant={activeId}
      autoComplete="off"
      required={required}
      placeholder={placeholder}
      value={shown}
      onChange={(e) => {
        setText(e.target.value);
        setEditing(true);
        setOpen(true);
        setActive(-1);
      }}
      onFocus={(e) => e.target.select()}
      onClick={() => setOpen(true)}
      onBlur={close}
      onKeyDown={onKeyDown}
    />
  );

  return (
    <div className="picker">
      {hideLabel ? (
        field
      ) : (
        <label>
          {label}
          {field}
        </label>
      )}
      <div className="picker-popup" hidden={!open}>
        <ul id={listId} role="listbox" aria-label="Search results">
          {open &&
            options.map((o, i) => (
              <li
                key={o.all ? '(all)' : o.id}
                id={`${id}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : undefined}
                // mousedown, not click: the input must not lose focus (and close the list) first.
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(o);
                }}
                onMouseMove={() => setActive(i)}
              >
                <span className="picker-name">{o.name}</span>
                {!o.all && <span className="picker-id">{o.id}</span>}
              </li>
            ))}
        </ul>
        {open && !current && !error && <p className="picker-note">Searching…</p>}
        {open && current && current.devices.length === 0 && <p className="picker-note">No device matches.</p>}
        {open && current && current.total > current.devices.length && (
          <p className="picker-note">
            {current.devices.length} of {current.total} shown: type to narrow
          </p>
        )}
        {open && <ErrorText error={error} />}
      </div>
    </div>
  );
}
