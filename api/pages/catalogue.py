"""Every word of the web interface, in Danish and English: one dict per language, keyed the same (a
unit test checks). Placeholders are `str.format` fields.

The pages also use the written account's catalogue (api/statement/catalogue.py) for the names of the
fields of an AI system, the values of its vocabularies, dates and the sections they share with the
account (findings, APV, history); the two catalogues have no key in common, so a key names one text.

`why.<field>` says in one line why a field of an AI system matters to the employees, and
`source.<field>` where the rule comes from (shared/domain.md)."""

from __future__ import annotations

DA: dict[str, str] = {
    # --- the frame of every page ---------------------------------------------------------------------
    "site.name": "AI-registret",
    "nav.skip": "Spring til indholdet",
    "nav.label": "Hovedmenu",
    "nav.register": "Registret",
    "nav.signed_in_as": "Logget ind som {name} ({role})",
    "nav.logout": "Log ud",
    "language.switch": "English",
    "footer.text": (
        "AI-registret viser, hvilke AI-systemer arbejdsgiveren bruger på arbejdspladsen, og hvad der er "
        "ændret. Hvert opslag gemmes i registrets adgangslog."
    ),
    "role.platform_admin": "platformadministrator",
    "role.employer_admin": "arbejdsgiver",
    "role.steward": "tillidsvalgt",
    "role.auditor": "revisor",
    "form.errors": "Formularen blev ikke sendt. Ret det, der står ved felterne.",
    "form.optional": "valgfrit",
    # --- logging in --------------------------------------------------------------------------------
    "home.title": "Log ind",
    "home.intro": (
        "AI-registret viser de AI-systemer, din arbejdsplads bruger: hvad de skal bruges til, hvilke "
        "oplysninger de samler om medarbejderne, hvem der har adgang, og hvad der er ændret."
    ),
    "home.how.title": "Sådan logger du ind",
    "home.how": (
        "Du logger ind med et personligt link, som kun kan bruges én gang. Linket får du af den, der "
        "passer registret hos jer, fx HR eller IT. Åbn linket, og tryk på knappen Log ind."
    ),
    "home.expiry": (
        "Et link kan bruges i {hours} timer. Er dit link brugt eller for gammelt, så bed om et nyt."
    ),
    "home.admins": "Den, der passer registret, laver et link med kommandoen:",
    "home.idp": ("Logger I ind på arbejdspladsens fælles login, kommer du direkte ind uden et link."),
    "login.title": "Log ind i AI-registret",
    "login.intro": "Tryk på knappen for at logge ind. Linket kan kun bruges én gang.",
    "login.session": "Du forbliver logget ind i {hours} timer, eller til du logger ud.",
    "login.button": "Log ind",
    # --- error pages -------------------------------------------------------------------------------
    "error.code": "Fejlkode {status}",
    "error.home": "Gå til forsiden",
    "error.400.title": "Forespørgslen kunne ikke bruges",
    "error.400.text": "Noget i adressen eller formularen kunne ikke læses. Gå tilbage, og prøv igen.",
    "error.401.title": "Du er ikke logget ind",
    "error.401.text": "Log ind med dit personlige link for at se registret.",
    "error.401.refused": "Dit login kunne ikke godkendes. Log ind igen.",
    "error.403.title": "Du har ikke adgang",
    "error.403.text": "Din rolle giver ikke adgang til det, du prøvede.",
    "error.403.csrf.title": "Formularen blev afvist",
    "error.403.csrf.text": (
        "Af sikkerhedshensyn blev formularen ikke modtaget. Gå tilbage, genindlæs siden, og send den igen."
    ),
    "error.404.title": "Siden findes ikke",
    "error.404.text": (
        "Vi kan ikke finde det, du leder efter. Adressen kan være forkert, eller du har ikke adgang til det."
    ),
    "error.404.link.title": "Linket virker ikke",
    "error.404.link.text": (
        "Login-linket findes ikke. Tjek, at du har brugt hele linket, eller bed om et nyt."
    ),
    "error.405.title": "Det kan man ikke her",
    "error.405.text": "Siden kan ikke bruges på den måde.",
    "error.410.used.title": "Linket er allerede brugt",
    "error.410.used.text": "Et login-link kan kun bruges én gang. Bed om et nyt link.",
    "error.410.expired.title": "Linket er udløbet",
    "error.410.expired.text": "Login-linket er for gammelt. Bed om et nyt link.",
    "error.413.title": "Teksten er for lang",
    "error.413.text": "Det, du sendte, fylder mere, end registret tager imod.",
    "error.422.title": "Noget skal rettes",
    "error.422.text": "Ret det, der står ved felterne, og prøv igen.",
    "error.429.title": "For mange forespørgsler",
    "error.429.text": "Vent lidt, og prøv igen.",
    "error.500.title": "Noget gik galt",
    "error.500.text": "Der skete en fejl hos os, og intet blev gemt. Prøv igen om lidt.",
    "error.503.title": "Registret kan ikke bruges lige nu",
    "error.503.text": "Prøv igen om lidt.",
    # --- the register ------------------------------------------------------------------------------
    "register.title": "AI-systemer",
    "register.intro": (
        "Her er de AI-systemer, {organization} har registreret. Vælg et system for at se, hvad det "
        "bruges til, hvilke oplysninger det samler, og hvad der er ændret."
    ),
    "register.limited": (
        "Du ser de systemer, der berører dine enheder, og de systemer, der gælder hele organisationen."
    ),
    "register.caption": "AI-systemer hos {organization}",
    "register.column.name": "System",
    "register.column.status": "Status",
    "register.column.category": "Anvendelse",
    "register.column.units": "Enheder",
    "register.column.badges": "Værd at vide",
    "register.column.updated": "Senest ændret",
    "register.count.one": "Viser 1 system.",
    "register.count.many": "Viser {count} systemer.",
    "register.count.more": "Viser {count} systemer. Der er flere på næste side.",
    "register.none": "Ingen systemer passer til søgningen.",
    "register.paging": "Sider",
    "register.next_page": "Næste side",
    "register.first_page": "Første side",
    "register.choose.title": "Vælg organisation",
    "register.choose.intro": "Du kan læse alle organisationers registre. Vælg den organisation, du vil se.",
    "register.choose.none": "Der er ingen organisationer i registret endnu.",
    "filter.title": "Søg og filtrér",
    "filter.q": "Søg efter ord i navn, leverandør, produkt, beskrivelse, formål og driftsansvarlig",
    "filter.category": "Anvendelse",
    "filter.status": "Status",
    "filter.unit": "Enhed",
    "filter.data_category": "Type af oplysning",
    "filter.any": "Alle",
    "filter.only": "Vis kun",
    "filter.monitoring": "Overvågning eller kontrolforanstaltning",
    "filter.high_risk": "Højrisiko efter AI-forordningen",
    "filter.findings": "Systemer med åbne punkter",
    "filter.submit": "Vis systemer",
    "filter.reset": "Nulstil filtre",
    "filter.error.q": "Søgningen må højst være {max} tegn.",
    "filter.error.q_words": "Skriv mindst ét ord at søge efter, med bogstaver eller tal.",
    "filter.error.choice": "Vælg en af mulighederne på listen.",
    "filter.error.cursor": "Linket til næste side virker ikke længere. Start forfra fra første side.",
    "badges.label": "Værd at vide om {name}",
    "badge.monitoring": "Overvågning eller kontrol",
    "badge.special-category": "Følsomme oplysninger",
    "badge.fully-automated": "Fuldt automatiske afgørelser",
    "badge.high-risk": "Højrisiko",
    "badge.open-findings.one": "1 åbent punkt",
    "badge.open-findings.many": "{count} åbne punkter",
    "badge.apv-due": "APV-revurdering senest {date}",
    "badge.apv-overdue": "APV-revurdering overskredet siden {date}",
    "badge.changed": "Ændret siden dit sidste besøg",
    # --- one system --------------------------------------------------------------------------------
    "system.kicker": "AI-system hos {organization}",
    "system.summary": "Version {version}, senest ændret {updated}.",
    "system.contents": "På denne side",
    "system.actions": "Redegørelse",
    "system.statement": "Skriftlig redegørelse til udskrift",
    "system.pdf": "Hent redegørelsen som PDF",
    "system.back": "Tilbage til registret",
    "system.changed": (
        "Ændret siden dit sidste besøg: du så version {seen}, nu er det version {version}. "
        "Ændringerne er markeret i ændringshistorikken."
    ),
    "system.changed.link": "Se ændringerne",
    "system.sent.question": "Dit spørgsmål er sendt til ledelsen.",
    "system.sent.correction": "Din rettelse er sendt til ledelsen.",
    "system.sent.answer": "Svaret er gemt og vises under spørgsmålet.",
    "fields.title": "Oplysninger om systemet",
    "fields.intro": (
        "Hver oplysning står med en kort forklaring på, hvorfor den er vigtig for medarbejderne, og "
        "hvilken regel den kommer fra."
    ),
    "fields.why": "Derfor er det vigtigt",
    "fields.source": "Kilde",
    "fields.group.about": "Om systemet",
    "fields.group.data": "Oplysninger og adgang",
    "fields.group.decisions": "Afgørelser og tilsyn",
    "fields.group.rules": "AI-forordningen og konsekvensanalyser",
    "fields.group.notice": "Varsling og inddragelse",
    "fields.group.use": "Brug, oplæring og arbejdsmiljø",
    "fields.special": "Følsomme oplysninger (GDPR art. 9): {categories}",
    "questions.title": "Spørgsmål og svar",
    "questions.intro": (
        "Tillidsvalgte kan stille ledelsen spørgsmål om systemet eller gøre opmærksom på, at en "
        "oplysning er forkert. Ledelsens svar står i referatet fra udvalget, og ledelsen er forpligtet "
        "til at følge dem."
    ),
    "questions.none": "Der er ikke stillet spørgsmål om systemet endnu.",
    "questions.kind.question": "Spørgsmål",
    "questions.kind.correction": "Rettelse",
    "questions.asked": "Stillet {moment} af {who}",
    "questions.disputed": "Oplysninger, der er forkerte: {fields}",
    "questions.status.open": "Venter på svar",
    "questions.status.answered": "Besvaret",
    "questions.answer": "Svar {number}",
    "questions.answered": "Givet {moment} af {who}",
    "questions.committee": "Udvalg",
    "questions.meeting_date": "Mødedato",
    "questions.minutes": "Referat",
    "ask.title": "Stil et spørgsmål eller send en rettelse",
    "ask.kind": "Hvad vil du sende?",
    "ask.kind.question": "Et spørgsmål til ledelsen",
    "ask.kind.correction": "En rettelse: en oplysning om systemet er forkert",
    "ask.text": "Din tekst",
    "ask.text.hint": "Skriv så konkret som muligt, højst {max} tegn.",
    "ask.field": "Hvilken oplysning er forkert? (skal udfyldes ved en rettelse)",
    "ask.field.none": "Vælg en oplysning",
    "ask.submit": "Send til ledelsen",
    "answer.title": "Besvar spørgsmålet",
    "answer.text": "Ledelsens svar",
    "answer.committee": "Udvalget, hvor svaret er givet",
    "answer.committee.none": "Intet udvalg",
    "answer.minutes_ref": "Henvisning til referatet",
    "answer.submit": "Gem svaret",
    "invalid.text.required": "Skriv en tekst.",
    "invalid.text.too_long": "Teksten må højst være {max} tegn.",
    "invalid.field.required": "Vælg den oplysning, du mener er forkert.",
    "invalid.choice": "Vælg en af mulighederne på listen.",
    "invalid.minutes_ref.too_long": "Henvisningen må højst være {max} tegn.",
    "timeline.new": "Ny siden dit sidste besøg",
    "timeline.label": "Versioner, nyeste først",
    "printable.back": "Tilbage til systemet",
    "printable.hint": (
        "Redegørelsen er lavet til udskrift: brug browserens udskriftsfunktion, eller hent den som PDF."
    ),
    "printable.pdf": "Hent som PDF",
    # --- why each field matters, and where the rule comes from --------------------------------------
    "why.name": "Navnet, systemet kendes under på arbejdspladsen, så alle taler om det samme system.",
    "source.name": "GDPR art. 30 (fortegnelse over behandlinger)",
    "why.vendor": (
        "Leverandøren behandler ofte oplysningerne på arbejdsgiverens vegne og skal have en aftale."
    ),
    "source.vendor": "GDPR art. 28 og 30",
    "why.product": "Produktet og dets version afgør, hvilke egenskaber og risici systemet har.",
    "source.product": "AI-forordningen art. 26 (pligter for den, der bruger systemet)",
    "why.description": "Hvad systemet gør, med almindelige ord, så medarbejderne kan forstå det.",
    "source.description": "GDPR art. 13 (oplysningspligt)",
    "why.purpose": "Formålet afgrænser, hvad oplysningerne må bruges til. De må ikke bruges til andet.",
    "source.purpose": "GDPR art. 5, stk. 1, litra b; aftalerne om kontrolforanstaltninger",
    "why.operational_reason": (
        "En kontrolforanstaltning skal have en saglig driftsmæssig begrundelse, ellers er den ikke lovlig."
    ),
    "source.operational_reason": "DA/LO-aftalen om kontrolforanstaltninger",
    "why.category": (
        "Overvågning og vurdering af medarbejdere kræver mere: varsling, konsekvensanalyse og ofte "
        "reglerne for højrisikosystemer."
    ),
    "source.category": "AI-forordningen bilag III, punkt 4; GDPR art. 35",
    "why.control_measure": (
        "En kontrolforanstaltning skal varsles senest 6 uger, før den tages i brug, og må ikke være "
        "krænkende eller ude af proportion."
    ),
    "source.control_measure": "DA/LO-aftalen og KL/FF-aftalen om kontrolforanstaltninger",
    "why.status": (
        "Om systemet er planlagt, afprøves, er i brug, sat på pause eller udfaset. Medarbejderne skal "
        "inddrages, før det tages i brug."
    ),
    "source.status": "Samarbejdsaftalen; MED-rammeaftalen §§ 6-7",
    "why.unit_ids": "Hvilke arbejdspladser systemet berører, og dermed hvilke udvalg og APV'er det angår.",
    "source.unit_ids": "MED-rammeaftalen; arbejdsmiljøloven § 15 a",
    "why.affected_groups": "Hvem systemet berører, så de rigtige medarbejdere og repræsentanter får besked.",
    "source.affected_groups": "AI-forordningen art. 26, stk. 7",
    "why.affected_headcount": (
        "Hvor mange der berøres, har betydning for, om indgrebet står i rimeligt forhold."
    ),
    "source.affected_headcount": "DA/LO-aftalen om kontrolforanstaltninger; GDPR art. 35",
    "why.data_categories": (
        "Hvilke oplysninger der samles om medarbejderne. Følsomme oplysninger kræver mere."
    ),
    "source.data_categories": "GDPR art. 5, 9 og 13",
    "why.data_sources": "Hvor oplysningerne kommer fra. Medarbejderne har ret til at vide det.",
    "source.data_sources": "GDPR art. 13 og 14",
    "why.access": "Hvem der kan se oplysningerne, og om de kan se den enkelte medarbejder.",
    "source.access": "GDPR art. 5, stk. 1, litra f, og art. 13",
    "why.retention": "Hvor længe oplysningerne gemmes. De må ikke gemmes længere end nødvendigt.",
    "source.retention": "GDPR art. 5, stk. 1, litra e",
    "why.log_retention_days": "Logfiler fra højrisikosystemer skal gemmes i mindst 6 måneder.",
    "source.log_retention_days": "AI-forordningen art. 26, stk. 6",
    "why.legal_basis": "Al behandling af personoplysninger kræver et lovligt grundlag.",
    "source.legal_basis": "GDPR art. 6; databeskyttelsesloven § 12",
    "why.special_category_basis": (
        "Følsomme oplysninger, fx om helbred eller fagforening, må kun behandles med et særligt grundlag."
    ),
    "source.special_category_basis": "GDPR art. 9",
    "why.automated_decision": "Om systemet selv træffer afgørelser om medarbejdere, eller et menneske gør.",
    "source.automated_decision": "GDPR art. 22",
    "why.significant_effect": (
        "Fuldt automatiske afgørelser med betydelige følger for medarbejderne er som udgangspunkt forbudt."
    ),
    "source.significant_effect": "GDPR art. 22",
    "why.human_oversight": (
        "Et oplært menneske skal holde øje med systemet og kunne gribe ind, hvis det går galt."
    ),
    "source.human_oversight": "AI-forordningen art. 26, stk. 2",
    "why.contest_channel": "Hvordan en medarbejder kan klage over en afgørelse eller få den forklaret.",
    "source.contest_channel": "GDPR art. 22, stk. 3; AI-forordningen art. 86",
    "why.ai_act": (
        "Risikoklassen afgør, hvilke pligter arbejdsgiveren har. Følelsesgenkendelse på arbejdspladsen "
        "er forbudt."
    ),
    "source.ai_act": "AI-forordningen art. 5, 6, 26 og 27 og bilag III",
    "why.dpia": "Overvågning af medarbejdere kræver normalt en konsekvensanalyse, før den begynder.",
    "source.dpia": "GDPR art. 35",
    "why.notice": "Medarbejderne skal varsles i god tid om formål, omfang og hvilke oplysninger der samles.",
    "source.notice": "DA/LO-aftalen og KL/FF-aftalen om kontrolforanstaltninger",
    "why.consultation": (
        "Samarbejdsudvalget (SU eller MED) skal informeres så tidligt, at medarbejderne kan påvirke "
        "beslutningen."
    ),
    "source.consultation": "Samarbejdsaftalen; MED-rammeaftalen §§ 6-8",
    "why.workers_informed_at": (
        "Medarbejderne og deres repræsentanter skal have besked, før et højrisikosystem tages i brug."
    ),
    "source.workers_informed_at": "AI-forordningen art. 26, stk. 7",
    "why.employee_notice_ref": (
        "Den information, medarbejderne har fået om, hvad der sker med deres oplysninger."
    ),
    "source.employee_notice_ref": "GDPR art. 13",
    "why.go_live_at": "Hvornår systemet blev taget i brug. Varsling og orientering skal ligge før.",
    "source.go_live_at": "DA/LO-aftalen om kontrolforanstaltninger; AI-forordningen art. 26, stk. 7",
    "why.retired_at": (
        "Hvornår systemet holdt op med at blive brugt. Oplysningerne skal så slettes efter reglerne."
    ),
    "source.retired_at": "GDPR art. 5, stk. 1, litra e",
    "why.operated_by": "AI kan styre arbejdet, selv om en anden virksomhed end arbejdsgiveren driver det.",
    "source.operated_by": "GDPR art. 28; AI-forordningen art. 26",
    "why.operator_name": "Den virksomhed, der driver systemet, og som man kan spørge om det.",
    "source.operator_name": "GDPR art. 13 og 28",
    "why.usage_policy": "Retningslinjer for, hvornår AI skal og ikke skal bruges, og om AI-indhold mærkes.",
    "source.usage_policy": "MED-rammeaftalen § 8; AI-forordningen art. 50",
    "why.training": (
        "Medarbejdere, der bruger AI, skal have den oplæring, der skal til for at bruge det forsvarligt."
    ),
    "source.training": "AI-forordningen art. 4",
    "why.time_savings": (
        "Tidsbesparelser tælles først, når de er opnået, og den frigjorte tid bør komme arbejdsmiljøet "
        "til gode."
    ),
    "source.time_savings": "Samarbejdsaftalen; arbejdsmiljøloven § 15 a",
    "why.apv_last_assessed_at": (
        "Arbejdspladsvurderingen skal laves om, når arbejdet ændres, og mindst hvert 3. år."
    ),
    "source.apv_last_assessed_at": "Arbejdsmiljøloven § 15 a",
    "why.contact": "Hvem man kan spørge om systemet.",
    "source.contact": "GDPR art. 13, stk. 1, litra a og b",
}

EN: dict[str, str] = {
    # --- the frame of every page ---------------------------------------------------------------------
    "site.name": "The AI register",
    "nav.skip": "Skip to content",
    "nav.label": "Main menu",
    "nav.register": "The register",
    "nav.signed_in_as": "Logged in as {name} ({role})",
    "nav.logout": "Log out",
    "language.switch": "Dansk",
    "footer.text": (
        "The AI register shows which AI systems the employer uses at work, and what has changed. Every "
        "look-up is kept in the register's access log."
    ),
    "role.platform_admin": "platform administrator",
    "role.employer_admin": "employer",
    "role.steward": "employee representative",
    "role.auditor": "auditor",
    "form.errors": "The form was not sent. Correct what is marked at the fields.",
    "form.optional": "optional",
    # --- logging in --------------------------------------------------------------------------------
    "home.title": "Log in",
    "home.intro": (
        "The AI register shows the AI systems your workplace uses: what they are for, which data they "
        "collect about employees, who has access, and what has changed."
    ),
    "home.how.title": "How to log in",
    "home.how": (
        "You log in with a personal link that works only once. You get it from whoever looks after the "
        "register where you work, such as HR or IT. Open the link and press the Log in button."
    ),
    "home.expiry": "A link can be used for {hours} hours. If yours is used or too old, ask for a new one.",
    "home.admins": "Whoever looks after the register makes a link with the command:",
    "home.idp": "If you log in through your workplace's shared login, you get straight in without a link.",
    "login.title": "Log in to the AI register",
    "login.intro": "Press the button to log in. The link works only once.",
    "login.session": "You stay logged in for {hours} hours, or until you log out.",
    "login.button": "Log in",
    # --- error pages -------------------------------------------------------------------------------
    "error.code": "Error code {status}",
    "error.home": "Go to the front page",
    "error.400.title": "The request could not be used",
    "error.400.text": "Something in the address or the form could not be read. Go back and try again.",
    "error.401.title": "You are not logged in",
    "error.401.text": "Log in with your personal link to see the register.",
    "error.401.refused": "Your login could not be accepted. Please log in again.",
    "error.403.title": "You do not have access",
    "error.403.text": "Your role does not allow what you tried.",
    "error.403.csrf.title": "The form was refused",
    "error.403.csrf.text": (
        "For your security the form was not accepted. Go back, reload the page and send it again."
    ),
    "error.404.title": "Page not found",
    "error.404.text": (
        "We cannot find what you are looking for. The address may be wrong, or you do not have access to it."
    ),
    "error.404.link.title": "The link does not work",
    "error.404.link.text": (
        "The login link does not exist. Check that you used all of it, or ask for a new one."
    ),
    "error.405.title": "That cannot be done here",
    "error.405.text": "The page cannot be used that way.",
    "error.410.used.title": "The link has already been used",
    "error.410.used.text": "A login link works only once. Ask for a new link.",
    "error.410.expired.title": "The link has expired",
    "error.410.expired.text": "The login link is too old. Ask for a new link.",
    "error.413.title": "The text is too long",
    "error.413.text": "What you sent is larger than the register accepts.",
    "error.422.title": "Something needs correcting",
    "error.422.text": "Correct what is marked at the fields and try again.",
    "error.429.title": "Too many requests",
    "error.429.text": "Wait a moment and try again.",
    "error.500.title": "Something went wrong",
    "error.500.text": "An error occurred on our side and nothing was saved. Try again in a moment.",
    "error.503.title": "The register cannot be used right now",
    "error.503.text": "Try again in a moment.",
    # --- the register ------------------------------------------------------------------------------
    "register.title": "AI systems",
    "register.intro": (
        "These are the AI systems {organization} has registered. Choose a system to see what it is used "
        "for, which data it collects, and what has changed."
    ),
    "register.limited": (
        "You see the systems that touch your units, and the systems that apply to the whole organization."
    ),
    "register.caption": "AI systems at {organization}",
    "register.column.name": "System",
    "register.column.status": "State",
    "register.column.category": "Kind of use",
    "register.column.units": "Units",
    "register.column.badges": "Worth knowing",
    "register.column.updated": "Last changed",
    "register.count.one": "Showing 1 system.",
    "register.count.many": "Showing {count} systems.",
    "register.count.more": "Showing {count} systems. There are more on the next page.",
    "register.none": "No systems match the search.",
    "register.paging": "Pages",
    "register.next_page": "Next page",
    "register.first_page": "First page",
    "register.choose.title": "Choose an organization",
    "register.choose.intro": "You can read every organization's register. Choose the one you want to see.",
    "register.choose.none": "There are no organizations in the register yet.",
    "filter.title": "Search and filter",
    "filter.q": "Search for words in name, vendor, product, description, purpose and operating company",
    "filter.category": "Kind of use",
    "filter.status": "State",
    "filter.unit": "Unit",
    "filter.data_category": "Kind of data",
    "filter.any": "Any",
    "filter.only": "Show only",
    "filter.monitoring": "Monitoring or control measure",
    "filter.high_risk": "High-risk under the AI Act",
    "filter.findings": "Systems with open points",
    "filter.submit": "Show systems",
    "filter.reset": "Clear filters",
    "filter.error.q": "The search can be at most {max} characters.",
    "filter.error.q_words": "Type at least one word to search for, with letters or digits.",
    "filter.error.choice": "Choose one of the options in the list.",
    "filter.error.cursor": "The link to the next page no longer works. Start again from the first page.",
    "badges.label": "Worth knowing about {name}",
    "badge.monitoring": "Monitoring or control",
    "badge.special-category": "Special-category data",
    "badge.fully-automated": "Fully automated decisions",
    "badge.high-risk": "High-risk",
    "badge.open-findings.one": "1 open point",
    "badge.open-findings.many": "{count} open points",
    "badge.apv-due": "APV reassessment due {date}",
    "badge.apv-overdue": "APV reassessment overdue since {date}",
    "badge.changed": "Changed since your last visit",
    # --- one system --------------------------------------------------------------------------------
    "system.kicker": "AI system at {organization}",
    "system.summary": "Version {version}, last changed {updated}.",
    "system.contents": "On this page",
    "system.actions": "Written account",
    "system.statement": "Printable written account",
    "system.pdf": "Download the written account as PDF",
    "system.back": "Back to the register",
    "system.changed": (
        "Changed since your last visit: you saw version {seen}, it is now version {version}. The changes "
        "are marked in the change history."
    ),
    "system.changed.link": "See the changes",
    "system.sent.question": "Your question has been sent to management.",
    "system.sent.correction": "Your correction has been sent to management.",
    "system.sent.answer": "The answer is saved and shown under the question.",
    "fields.title": "About the system",
    "fields.intro": (
        "Each item comes with a short explanation of why it matters to employees, and which rule it "
        "comes from."
    ),
    "fields.why": "Why it matters",
    "fields.source": "Source",
    "fields.group.about": "The system",
    "fields.group.data": "Data and access",
    "fields.group.decisions": "Decisions and oversight",
    "fields.group.rules": "The AI Act and impact assessments",
    "fields.group.notice": "Notice and consultation",
    "fields.group.use": "Use, training and working environment",
    "fields.special": "Special-category data (GDPR Art. 9): {categories}",
    "questions.title": "Questions and answers",
    "questions.intro": (
        "Employee representatives can ask management about the system, or point out that an item is "
        "wrong. Management's answers are entered in the committee's minutes, and management must act on "
        "them."
    ),
    "questions.none": "No questions have been asked about the system yet.",
    "questions.kind.question": "Question",
    "questions.kind.correction": "Correction",
    "questions.asked": "Asked {moment} by {who}",
    "questions.disputed": "Items said to be wrong: {fields}",
    "questions.status.open": "Awaiting an answer",
    "questions.status.answered": "Answered",
    "questions.answer": "Answer {number}",
    "questions.answered": "Given {moment} by {who}",
    "questions.committee": "Committee",
    "questions.meeting_date": "Meeting date",
    "questions.minutes": "Minutes",
    "ask.title": "Ask a question or send a correction",
    "ask.kind": "What do you want to send?",
    "ask.kind.question": "A question to management",
    "ask.kind.correction": "A correction: an item about the system is wrong",
    "ask.text": "Your text",
    "ask.text.hint": "Be as specific as you can, at most {max} characters.",
    "ask.field": "Which item is wrong? (required for a correction)",
    "ask.field.none": "Choose an item",
    "ask.submit": "Send to management",
    "answer.title": "Answer the question",
    "answer.text": "Management's answer",
    "answer.committee": "The committee where the answer was given",
    "answer.committee.none": "No committee",
    "answer.minutes_ref": "Reference to the minutes",
    "answer.submit": "Save the answer",
    "invalid.text.required": "Write a text.",
    "invalid.text.too_long": "The text can be at most {max} characters.",
    "invalid.field.required": "Choose the item you think is wrong.",
    "invalid.choice": "Choose one of the options in the list.",
    "invalid.minutes_ref.too_long": "The reference can be at most {max} characters.",
    "timeline.new": "New since your last visit",
    "timeline.label": "Versions, newest first",
    "printable.back": "Back to the system",
    "printable.hint": (
        "The account is made for printing: use your browser's print function, or download a PDF."
    ),
    "printable.pdf": "Download as PDF",
    # --- why each field matters, and where the rule comes from --------------------------------------
    "why.name": "The name the system goes by at work, so everyone talks about the same system.",
    "source.name": "GDPR Art. 30 (records of processing)",
    "why.vendor": "The vendor often processes the data on the employer's behalf and needs an agreement.",
    "source.vendor": "GDPR Art. 28 and 30",
    "why.product": "The product and its version decide which capabilities and risks the system has.",
    "source.product": "AI Act Art. 26 (duties of those who deploy a system)",
    "why.description": "What the system does, in plain words, so employees can understand it.",
    "source.description": "GDPR Art. 13 (duty to inform)",
    "why.purpose": "The purpose limits what the data may be used for. It may not be used for anything else.",
    "source.purpose": "GDPR Art. 5(1)(b); the agreements on control measures",
    "why.operational_reason": "A control measure needs an objective operational reason, or it is not lawful.",
    "source.operational_reason": "DA/LO agreement on control measures",
    "why.category": (
        "Monitoring and evaluating employees asks for more: notice, an impact assessment and often the "
        "rules for high-risk systems."
    ),
    "source.category": "AI Act Annex III point 4; GDPR Art. 35",
    "why.control_measure": (
        "A control measure must be announced at least 6 weeks before it starts, and must not be "
        "offensive or out of proportion."
    ),
    "source.control_measure": "DA/LO and KL/FF agreements on control measures",
    "why.status": (
        "Whether the system is planned, being trialled, in use, suspended or retired. Employees must be "
        "involved before it is used."
    ),
    "source.status": "Cooperation Agreement; MED framework agreement §§ 6-7",
    "why.unit_ids": "Which workplaces the system touches, and so which committees and APVs it concerns.",
    "source.unit_ids": "MED framework agreement; Working Environment Act § 15a",
    "why.affected_groups": "Who the system affects, so the right employees and representatives are told.",
    "source.affected_groups": "AI Act Art. 26(7)",
    "why.affected_headcount": (
        "How many people are affected matters when weighing whether it is proportionate."
    ),
    "source.affected_headcount": "DA/LO agreement on control measures; GDPR Art. 35",
    "why.data_categories": "Which data is collected about employees. Special-category data asks for more.",
    "source.data_categories": "GDPR Art. 5, 9 and 13",
    "why.data_sources": "Where the data comes from. Employees have a right to know.",
    "source.data_sources": "GDPR Art. 13 and 14",
    "why.access": "Who can see the data, and whether they can see each employee.",
    "source.access": "GDPR Art. 5(1)(f) and Art. 13",
    "why.retention": "How long the data is kept. It may not be kept longer than needed.",
    "source.retention": "GDPR Art. 5(1)(e)",
    "why.log_retention_days": "Logs of high-risk systems must be kept for at least 6 months.",
    "source.log_retention_days": "AI Act Art. 26(6)",
    "why.legal_basis": "Every processing of personal data needs a lawful basis.",
    "source.legal_basis": "GDPR Art. 6; Danish Data Protection Act § 12",
    "why.special_category_basis": (
        "Special-category data, such as health or union membership, needs a special basis to be processed."
    ),
    "source.special_category_basis": "GDPR Art. 9",
    "why.automated_decision": "Whether the system itself decides about employees, or a person does.",
    "source.automated_decision": "GDPR Art. 22",
    "why.significant_effect": (
        "Fully automated decisions that significantly affect employees are forbidden unless an "
        "exception applies."
    ),
    "source.significant_effect": "GDPR Art. 22",
    "why.human_oversight": (
        "A trained person must watch over the system and be able to step in if it goes wrong."
    ),
    "source.human_oversight": "AI Act Art. 26(2)",
    "why.contest_channel": "How an employee can contest a decision or have it explained.",
    "source.contest_channel": "GDPR Art. 22(3); AI Act Art. 86",
    "why.ai_act": (
        "The risk class decides which duties the employer has. Emotion recognition at work is prohibited."
    ),
    "source.ai_act": "AI Act Art. 5, 6, 26 and 27 and Annex III",
    "why.dpia": "Monitoring employees normally needs an impact assessment before it begins.",
    "source.dpia": "GDPR Art. 35",
    "why.notice": "Employees must be told in good time about the purpose, the scope and the data collected.",
    "source.notice": "DA/LO and KL/FF agreements on control measures",
    "why.consultation": (
        "The cooperation committee (SU or MED) must be informed early enough for employees to influence "
        "the decision."
    ),
    "source.consultation": "Cooperation Agreement; MED framework agreement §§ 6-8",
    "why.workers_informed_at": (
        "Employees and their representatives must be told before a high-risk system is put into use."
    ),
    "source.workers_informed_at": "AI Act Art. 26(7)",
    "why.employee_notice_ref": "The information employees were given about what happens to their data.",
    "source.employee_notice_ref": "GDPR Art. 13",
    "why.go_live_at": "When the system went into use. Notice and information must come before.",
    "source.go_live_at": "DA/LO agreement on control measures; AI Act Art. 26(7)",
    "why.retired_at": "When the system stopped being used. The data must then be deleted as the rules say.",
    "source.retired_at": "GDPR Art. 5(1)(e)",
    "why.operated_by": "AI can steer the work even when a company other than the employer runs it.",
    "source.operated_by": "GDPR Art. 28; AI Act Art. 26",
    "why.operator_name": "The company that runs the system, which can be asked about it.",
    "source.operator_name": "GDPR Art. 13 and 28",
    "why.usage_policy": "Guidelines on when AI is and is not to be used, and whether AI content is labelled.",
    "source.usage_policy": "MED framework agreement § 8; AI Act Art. 50",
    "why.training": "Employees who use AI must get the training they need to use it responsibly.",
    "source.training": "AI Act Art. 4",
    "why.time_savings": (
        "Time savings count only once realised, and the freed time should benefit the working environment."
    ),
    "source.time_savings": "Cooperation Agreement; Working Environment Act § 15a",
    "why.apv_last_assessed_at": (
        "The workplace risk assessment must be redone when the work changes, and at least every 3 years."
    ),
    "source.apv_last_assessed_at": "Working Environment Act § 15a",
    "why.contact": "Whom to ask about the system.",
    "source.contact": "GDPR Art. 13(1)(a) and (b)",
}

CATALOGUES: dict[str, dict[str, str]] = {"da": DA, "en": EN}
LANGUAGES = tuple(CATALOGUES)
DEFAULT_LANGUAGE = "da"

__all__ = ["CATALOGUES", "DA", "DEFAULT_LANGUAGE", "EN", "LANGUAGES"]
