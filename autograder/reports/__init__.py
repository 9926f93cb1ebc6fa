"""What people read: terminal lines, feedback, class and term reports, spreadsheets and plots."""
