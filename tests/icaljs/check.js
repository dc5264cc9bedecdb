// Parse an .ics file with Mozilla's ical.js (the parser Thunderbird uses) and print what it
// read, one JSON document on stdout, for tests/test_render_icaljs.py to compare with the events.
//
//   node tests/icaljs/check.js FILE.ics
//
// Output: {"calendar": {name, refreshInterval, prodid}, "events": [{uid, summary, start,
// isDate, end, endIsDate, duration, url, description, categories, transp}, ...]}. `start` and
// `end` are ical.js's own strings ("2025-03-10" for a DATE, "2025-03-07T14:30:00Z" for a UTC
// DATE-TIME); `end` is what ICAL.Event computes, so an event without DTEND gets ical.js's
// default end. Any parse error exits non-zero with the message on stderr.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const path = process.argv[2];
if (!path) {
  console.error("usage: node check.js FILE.ics");
  process.exit(2);
}

const jcal = ICAL.parse(readFileSync(path, "utf8"));
const calendar = new ICAL.Component(jcal);
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    start: event.startDate.toString(),
    isDate: event.startDate.isDate,
    end: event.endDate.toString(),
    endIsDate: event.endDate.isDate,
    hasDtend: vevent.hasProperty("dtend"),
    duration: event.duration.toString(),
    url: vevent.getFirstPropertyValue("url"),
    description: event.description,
    categories: vevent.getFirstProperty("categories")?.getValues() ?? [],
    transp: vevent.getFirstPropertyValue("transp"),
  };
});

const refresh = calendar.getFirstPropertyValue("refresh-interval");
process.stdout.write(
  JSON.stringify({
    calendar: {
      name: calendar.getFirstPropertyValue("name"),
      wrCalname: calendar.getFirstPropertyValue("x-wr-calname"),
      prodid: calendar.getFirstPropertyValue("prodid"),
      refreshInterval: refresh ? refresh.toString() : null,
    },
    events,
  }) + "\n",
);
