"""What people work from: call lists, scripts, SMS batches. openpyxl and jinja2 live here."""
