"""A datatrove pipeline step that strips boilerplate lines from each document, for pipelines already on datatrove.

    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from stripper.datatrove import StripBoilerplate

    pipeline = [JsonlReader("s3://crawl/"), StripBoilerplate(), JsonlWriter("s3://clean/")]

The step is the same library call as `stripper clean --jsonl` on a record: `clean(text, rules)`, with the
document's removals under `metadata["stripper"]` in the record `--jsonl` adds. Its rule set pickles with
the step, so each datatrove task receives it once and compiles it on its first document. Needs
`pip install 'stripper[datatrove]'`.
"""

from __future__ import annotations

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from stripper.engine import DEFAULT_TIMEOUT, clean
from stripper.jsonl import KEY
from stripper.report import result_record
from stripper.rules import RuleSet


class StripBoilerplate(PipelineStep):
    """Remove boilerplate lines from `document.text`; report them in `document.metadata["stripper"]`.

    Documents are never dropped, even when nothing is left of them: what to do with an empty document is
    the next step's choice (a filter). Stats count documents, lines removed, and lines removed per category.
    """

    name = "✂️ stripper"
    type = "✂️ - FORMAT"

    def __init__(self, rules: RuleSet | None = None, *, report: bool = True, timeout: float | None = DEFAULT_TIMEOUT):
        super().__init__()
        self.rules = RuleSet.default() if rules is None else rules
        self.report = report
        self.timeout = timeout

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for document in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                result = clean(document.text, self.rules, timeout=self.timeout, source=str(document.id))
            for problem in result.problems:  # a rule that timed out: the line was kept
                logger.warning(f"{document.id}:{problem.line}: {problem.rule}: {problem.message}")
            if result.removals:
                self.stat_update("lines_removed", value=len(result.removals))
                for removal in result.removals:
                    self.stat_update(f"removed_{removal.category}")
            document.text = result.text
            if self.report:
                record = result_record(result, str(document.id))
                del record["source"]  # the document's id says which it is
                document.metadata[KEY] = record
            yield document
