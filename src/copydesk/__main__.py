from copydesk.cli import app

app(prog_name="copydesk")
