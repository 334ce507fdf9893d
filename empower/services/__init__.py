"""The program's services: plain functions taking a unit of work, an input and an actor.

One module per area. What scripts may use is named once, in ``empower.__all__``; this package
does not re-export it a second time.
"""
