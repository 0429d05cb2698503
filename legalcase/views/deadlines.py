"""Deadline pages (mine, my firm's, all), the calendar feed and in-app notifications."""
