"""Defects: report a defect against an order, list and track defects, view SOPs."""
