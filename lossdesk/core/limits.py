"""The longest free text LossDesk takes, one set for models, forms and the API: long enough
for what a person writes, short enough that one field cannot blow up a page."""

CODE_MAX = 40  # a code, a number or a choice sent as text
NOTE_MAX = 500  # a reason, a note, a comment, an SMS
TEXT_MAX = 2000  # a description: the accident, the survey, remarks on a sheet
PASSWORD_MAX = 128
