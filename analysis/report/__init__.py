"""The report: execute the notebooks, export each as an offline HTML page, write the index.

`build` holds the build (`build_report`); `templates/report` the nbconvert template and the
index page.
"""

from analysis.report.build import BuildLog, NotebookError, Page, ReportError, build_report

__all__ = ["BuildLog", "NotebookError", "Page", "ReportError", "build_report"]
