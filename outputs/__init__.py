"""What a batch writes: report.json, report.html, crops, the batch's CSV files and index page."""
