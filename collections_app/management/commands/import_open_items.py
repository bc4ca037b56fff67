from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from collections_app.services.imports import ImportFileError, ImportReport, import_open_items

#: Rejections listed in full; beyond, only their count.
SHOWN_REJECTIONS = 50


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

    def handle(self, *args, file: str, snapshot: bool, skip_invalid: bool, **options) -> None:
        try:
            if file == "-":
                report = import_open_items(
                    stream=sys.stdin.buffer,
                    file_name="<stdin>",
                    snapshot=snapshot,
                    skip_invalid=skip_invalid,
                )
            else:
                path = Path(file)
                if not path.is_file():
                    raise CommandError(f"{file}: no such file.")
                size = path.stat().st_size
                if size > settings.IMPORT_MAX_FILE_BYTES:
                    raise CommandError(
                        f"{file}: rejected, nothing changed. The file has {size:,} bytes, more "
                        f"than the {settings.IMPORT_MAX_FILE_BYTES:,} allowed: check it is the "
                        "open-items export, or raise IMPORT_MAX_FILE_BYTES."
                    )
                with path.open("rb") as stream:
                    report = import_open_items(
                        stream=stream,
                        file_name=path.name,
                        snapshot=snapshot,
                        skip_invalid=skip_invalid,
                    )
        except ImportFileError as error:
            raise CommandError(
                f"{file}: rejected as a whole, nothing was changed. {error}"
            ) from error
        self._print(report)
        if not report.applied:
            raise CommandError(
                f"{len(report.rejected)} rejected row(s): nothing was changed. Correct the file, "
                "or load the valid rows with --skip-invalid."
            )

    def _print(self, report: ImportReport) -> None:
        out = self.stdout
        out.write(f"rows read:  {report.rows_read}")
        out.write(f"created:    {report.created}")
        out.write(f"updated:    {report.updated}")
        out.write(f"unchanged:  {report.unchanged}")
        out.write(f"closed:     {report.closed}")
        out.write(f"rejected:   {len(report.rejected)}")
        if report.customers_created:
            out.write(f"new customers: {report.customers_created}")
        for rejection in report.rejected[:SHOWN_REJECTIONS]:
            self.stderr.write(f"  line {rejection.line}: {rejection.reason}")
        if len(report.rejected) > SHOWN_REJECTIONS:
            self.stderr.write(f"  … and {len(report.rejected) - SHOWN_REJECTIONS} more")
        if report.applied:
            out.write(self.style.SUCCESS("Applied."))
