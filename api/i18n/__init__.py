"""The texts users read, in Danish (first) and English: gettext catalogues (locale/), one translator
for the pages, the written account, e-mails and compliance findings, and Babel for dates, numbers,
lists and plurals."""

from api.i18n.catalogues import DEFAULT_LANGUAGE, LANGUAGES
from api.i18n.legal import legal_source
from api.i18n.translator import Translator, translator

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Translator", "legal_source", "translator"]
