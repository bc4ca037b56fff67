from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from collections_app.services.imports import ImportFileError, ImportReport, import_open_items

#: Rejections listed in full; beyond, only their count.
SHOWN_REJECTIONS = 50
_STAGES = {"reading": "reading the file", "checking": "checking", "applying": "applying"}


class ProgressBar:
    """A progress bar on the terminal (standard error), one stage after another."""

    def __init__(self, stack: ExitStack, *, enabled: bool):
        self.stack = stack
        self.enabled = enabled
        self.bar: tqdm | None = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            if self.bar is not None:
                self.bar.close()
            reading = stage == "reading"
            self.bar = self.stack.enter_context(
                tqdm(
                    total=total or None,
                    desc=_STAGES.get(stage, stage),
                    unit="B" if reading else " step",
                    unit_scale=reading,
                    file=sys.stderr,
                    leave=True,
                    dynamic_ncols=True,
                )
            )
            self.stage = stage
        self.bar.update(done - self.bar.n)


class Command(BaseCommand):
    help = (
        "Load the standard open-items CSV file (UTF-8; columns customer_code, customer_name, "
        "document_type, number, document_date, due_date, amount, open_amount, currency). "
        "Every row is checked first: a file with rejected rows changes nothing unless "
        "--skip-invalid is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file, or - for standard input.")
        parser.add_argument(
            "--snapshot",
            action="store_true",
            help="The file is a full export: close the outstanding items it does not list.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Apply the valid rows even when some are rejected.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and change nothing."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (it shows on a terminal)."
        )

    def handle(
        self,
        *args,
        file: str,
        snapshot: bool,
        skip_invalid: bool,
        dry_run: bool,
        no_progress: bool,
        **options,
    ) -> None:
        with ExitStack() as stack:
            progress = ProgressBar(stack, enabled=not no_progress and sys.stderr.isatty())
            try:
                if file == "-":
                    stream, name = sys.stdin.buffer, "<stdin>"
                else:
                    path = Path(file)
                    if not path.is_file():
                        raise CommandError(f"{file}: no such file.")
                    size = path.stat().st_size
                    if size > settings.IMPORT_MAX_FILE_BYTES:
                        raise CommandError(
                            f"{file}: rejected, nothing changed. The file has {size:,} bytes, "
                            f"more than the {settings.IMPORT_MAX_FILE_BYTES:,} allowed: check it "
                            "is the open-items export, or raise IMPORT_MAX_FILE_BYTES."
                        )
                    stream, name = stack.enter_context(path.open("rb")), path.name
                report = import_open_items(
                    stream=stream,
                    file_name=name,
                    snapshot=snapshot,
                    skip_invalid=skip_invalid,
                    dry_run=dry_run,
                    progress=progress,
                )
            except ImportFileError as error:
                raise CommandError(
                    f"{file}: rejected as a whole, nothing was changed. {error}"
                ) from error
        self._print(report, dry_run=dry_run)
        if not report.applied and not dry_run:
            raise CommandError(
                f"{report.rejected_count} rejected row(s): nothing was changed. Correct the "
                "file, or load the valid rows with --skip-invalid."
            )

    def _print(self, report: ImportReport, *, dry_run: bool) -> None:
        out = self.stdout
        out.write(f"rows read:  {report.rows_read}")
        would = "would be " if dry_run else ""
        if not (dry_run and report.rejected_count and not report.created + report.updated):
            out.write(f"{would}created:    {report.created}")
            out.write(f"{would}updated:    {report.updated}")
            out.write(f"{would}unchanged:  {report.unchanged}")
            out.write(
                f"{would}closed:     {report.closed} (paid in full, or gone from a full export)"
            )
        out.write(f"rejected:   {report.rejected_count}")
        if report.customers_created:
            out.write(f"new customers: {report.customers_created}")
        promises = report.promises
        if promises.kept or promises.partially_kept or promises.broken:
            out.write(
                f"promises:   {promises.kept} kept, {promises.partially_kept} partially kept, "
                f"{promises.broken} broken"
            )
        if promises.follow_ups_closed:
            out.write(
                f"follow-ups closed (all paid, or replaced by a callback): "
                f"{promises.follow_ups_closed}"
            )
        for rejection in report.rejected[:SHOWN_REJECTIONS]:
            self.stderr.write(f"  line {rejection.line}: {rejection.reason}")
        if report.rejected_count > SHOWN_REJECTIONS:
            self.stderr.write(f"  … and {report.rejected_count - SHOWN_REJECTIONS} more")
        if report.applied:
            out.write(self.style.SUCCESS("Applied."))
        elif dry_run:
            out.write("Dry run: nothing was changed.")
