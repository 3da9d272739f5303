"""SEC EDGAR: capex, financials and headcount of the tracked companies, from companyfacts and 10-K inline XBRL."""
