"""Render stage: events -> terminal text (`terminal`), iCalendar (`ical`), JSON (`jsonexport`).

Pure functions of model objects; `now` and the reader's zone are arguments. `labels` holds the
words for dates that the terminal and iCal output share. Nothing here reads a store or the clock.
"""
