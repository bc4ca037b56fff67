"""British English formats as a back office reads them: times on the 24-hour
clock ("09:30", not "9:30 a.m."), the rest as Django's en_GB formats."""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
