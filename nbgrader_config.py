# nbgrader configuration for the course's chapters (written by python -m rnnlib.course.assignments).
c = get_config()  # noqa: F821

# A check stops the student's code after 20 s per call and 60 s per check
# (rnnlib.course.checks.TIME_LIMIT, CHECK_TIME_LIMIT); a cell may take that long and more, because a
# chapter's own cells (training runs, figures) run too. nbgrader's default, 30 s, fails correct slow code.
c.ExecutePreprocessor.timeout = 120
c.ExecutePreprocessor.interrupt_on_timeout = True
# A student's notebook keeps what it prints; the checks cap their own (OUTPUT_LIMIT characters).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
