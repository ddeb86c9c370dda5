"""The Typer app: which commands exist, in the order `feedun --help` lists them, and the entry point.

Each command lives in the module of its pipeline stage (cli/*_cmds.py): it parses arguments, calls one library
function and prints its result. Exit codes: 0 ok, 1 data or validation problem, 2 usage error. Expected failures
never show a traceback.
"""

from __future__ import annotations

import sys

import typer

from feedun.cli import admin_cmds, decide_cmds, intake_cmds, memory_cmds, output_cmds, run_cmds
from feedun.cli import text as cli_text
from feedun.cli.db import db_app
from feedun.core.errors import FeedunError

cli_text.install()

app = typer.Typer(
    name="feedun",
    help="feedun：物业费欠费催缴工具。导入物业系统导出的台账，找出谁欠费、该用哪一招、下一步做什么。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

app.command("init")(admin_cmds.init_cmd)
app.command("import")(intake_cmds.import_cmd)
app.command("debtors")(memory_cmds.debtors_cmd)
app.command("log")(memory_cmds.log_cmd)
app.command("tag", context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]})(
    memory_cmds.tag_cmd)
app.command("promises")(memory_cmds.promises_cmd)
app.command("history")(memory_cmds.history_cmd)
app.command("classify")(decide_cmds.classify_cmd)
app.command("explain")(decide_cmds.explain_cmd)
app.command("nodes")(output_cmds.nodes_cmd)
app.command("calls")(output_cmds.calls_cmd)
app.command("sms")(output_cmds.sms_cmd)
app.command("run")(run_cmds.run_cmd)
app.command("report")(output_cmds.report_cmd)
app.command("purge")(admin_cmds.purge_cmd)
app.command("demo")(admin_cmds.demo_cmd)
app.add_typer(decide_cmds.rules_app, name="rules")
app.add_typer(db_app, name="db")
app.add_typer(output_cmds.letters_app, name="letters")


def main() -> None:
    """Console-script entry: run the app, turn expected failures into a message and an exit code.

    A failure's text may quote a cell or a database row (a message) or carry a value (a bug's traceback): what
    reaches the terminal has its phone numbers masked, and a bug is reported as one, with a traceback."""
    import os

    from feedun.core.money import mask_phones_in as hide_phones

    os.umask(0o077)  # the store, rejects, lists and letters hold personal data: owner-only files and folders

    try:
        app()
    except FeedunError as exc:
        from feedun.cli.console import err

        err.print(hide_phones(exc.render()), markup=False)
        if "--json" in sys.argv[1:]:  # the JSON reader gets the failure too, on stdout
            import json

            from feedun.cli.console import print_json

            print_json(hide_phones(json.dumps(exc.to_dict(), ensure_ascii=False, indent=2)))
        _say_missing_holidays()
        sys.exit(exc.exit_code)
    except SystemExit:
        _say_missing_holidays()
        raise
    except Exception:
        import traceback

        from feedun.cli.console import err

        err.print(hide_phones(traceback.format_exc()), markup=False)
        err.print("错误：feedun 内部出错（程序缺陷，不是台账或配置的问题），本次操作没有完成。\n"
                  "处理办法：把上面的技术信息（电话号码已隐去）和所用的命令发给维护人员。", markup=False)
        sys.exit(1)


def _say_missing_holidays() -> None:
    """Once per command, on stderr: the years the holiday calendar did not know (none said already by a run)."""
    from feedun.core.calendar import missing_years_warning

    warning = missing_years_warning()
    if warning:
        from feedun.cli.views import warn

        warn(warning)


if __name__ == "__main__":
    main()
