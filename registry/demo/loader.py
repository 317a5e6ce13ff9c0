"""The demo data set: four fictional Danish employers and the AI systems they use at work.

The cases are modelled on real Danish public debate and practice (route planning and GPS in home care,
road-damage cameras on municipal vehicles, generative assistants in jobcentres, AI triage of chest X-rays,
speech analytics in call centres, CV screening, a freight forwarder steering hauliers' drivers); the
organizations, vendors and people are invented. Texts are in Danish, as the users are Danish.

Everything is written through the services, exactly as an employer would through the API: every system
gets its registration and several revisions with change notes, so history, diffs and findings have
something to show. Unit references in the system data are short keys, replaced by unit ids when seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.access import Actor, Role
from registry.organizations import service as organizations
from registry.organizations import units
from registry.organizations.models import OrganizationFields, UnitFields
from registry.organizations.tables import Organization
from registry.systems import service as systems
from registry.systems.models import SystemFields

PLATFORM_ADMIN = Actor(sub="demo-platform-admin", role=Role.platform_admin)
DEFAULT_REGISTRATION_NOTE = "Registreret i AI-registret"

# A revision: the change note and the top-level fields it replaces.
Revision = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class DemoOrganization:
    id: str
    name: str
    unit_ids: dict[str, str]  # short key such as "hjemmepleje" -> unit id
    steward_units: list[str]  # unit ids a demo steward limited to units would get


@dataclass(frozen=True)
class DemoData:
    organizations: list[DemoOrganization]


# =====================================================================================================
# 1. Fjordby Kommune (municipality, MED)
# =====================================================================================================

FJORDBY_UNITS: list[dict[str, Any]] = [
    {"key": "hoved_med", "name": "Hoved-MED, Fjordby Kommune", "committee": "hoved-MED", "headcount": 4350},
    {
        "key": "hjemmepleje",
        "name": "Hjemmeplejen",
        "parent": "hoved_med",
        "committee": "lokal-MED",
        "headcount": 520,
    },
    {
        "key": "hjemmepleje_nord",
        "name": "Hjemmeplejen, distrikt Nord",
        "parent": "hjemmepleje",
        "headcount": 262,
    },
    {
        "key": "hjemmepleje_syd",
        "name": "Hjemmeplejen, distrikt Syd",
        "parent": "hjemmepleje",
        "headcount": 238,
    },
    {
        "key": "skoler",
        "name": "Skoler og dagtilbud",
        "parent": "hoved_med",
        "committee": "lokal-MED",
        "headcount": 1780,
    },
    {
        "key": "vej_park",
        "name": "Vej og park",
        "parent": "hoved_med",
        "committee": "lokal-MED",
        "headcount": 145,
    },
    {
        "key": "jobcenter",
        "name": "Jobcenter og Borgerservice",
        "parent": "hoved_med",
        "committee": "lokal-MED",
        "headcount": 310,
    },
]

FJORDBY_AI_GUIDELINE = (
    "Fjordby Kommunes retningslinje for brug af kunstig intelligens, version 1.1 (hoved-MED)"
)

ROUTE_PLANNER: dict[str, Any] = {
    "note": "Registreret ved pilotstart i distrikt Nord",
    "fields": {
        "name": "AI-ruteplanlægning i hjemmeplejen",
        "vendor": "Omsorgsruter ApS",
        "product": "RuteKlar Optimering",
        "description": (
            "Planlægningsmodul, der hver eftermiddag lægger næste dags besøg og køreruter for hjemmeplejens "
            "medarbejdere. Modellen tager højde for borgernes visiterede ydelser, medarbejdernes kompetencer "
            "og arbejdstid, kontinuitet (samme medarbejder hos samme borger) og forventet køretid. "
            "Planlæggeren i distriktet godkender og retter planen, før den sendes til medarbejdernes "
            "tjenestetelefoner. Under vagten registrerer appen medarbejderens position (GPS), så ruten kan "
            "lægges om ved akutte ændringer, og så faktisk køre- og besøgstid kan forbedre næste plan. Besøg "
            "fordeles efter borgernes behov og medarbejdernes kompetencer, ikke efter den enkeltes adfærd "
            "eller tempo; systemet er derfor vurderet som uden for AI-forordningens bilag III, pkt. 4."
        ),
        "purpose": (
            "At give mere sammenhængende ruter med mindre køretid og mere tid hos borgerne, og at frigøre "
            "planlæggernes tid fra manuel ruteplanlægning."
        ),
        "operational_reason": (
            "Hjemmeplejen kører ca. 1.900 besøg i døgnet i to distrikter. Manuel planlægning tager 3-4 timer "
            "dagligt pr. distrikt og giver ujævn fordeling af køretid mellem medarbejderne. Akutte ændringer "
            "(sygdom, udskrivninger fra sygehuset) kræver hurtig omlægning af ruterne."
        ),
        "category": "automation",
        "control_measure": True,
        "status": "pilot",
        "unit_ids": ["hjemmepleje_nord"],
        "affected_groups": [
            "Social- og sundhedshjælpere",
            "Social- og sundhedsassistenter",
            "Sygeplejersker i udekørende team",
            "Planlæggere",
        ],
        "affected_headcount": 262,
        "data_categories": [
            "identification",
            "employment",
            "location",
            "work_performance",
            "device_usage",
            "health",
        ],
        "data_sources": [
            "Visiterede ydelser og besøgsplan fra omsorgssystemet",
            "Vagtplan og kompetenceprofiler fra personalesystemet",
            "GPS-position fra tjenestetelefonens app under vagt",
            "Kvitteringer for start og slut af besøg i appen",
        ],
        "access": [
            {
                "role": "Planlægger i distriktet",
                "scope": "individual",
                "purpose": "Lægge og justere dagens ruter; ser medarbejderens position kun under vagten.",
            },
            {
                "role": "Distriktsleder",
                "scope": "aggregate",
                "purpose": "Følge køretid, kontinuitet og planlagt mod faktisk besøgstid på teamniveau.",
            },
            {
                "role": "Leverandørens support",
                "scope": "individual",
                "purpose": "Fejlsøgning efter anmodning fra kommunen; databehandleraftale indgået.",
            },
        ],
        "retention": {
            "period_days": 30,
            "description": (
                "GPS-positioner slettes efter 30 dage. Besøgskvitteringer følger reglerne for "
                "omsorgsjournalen. Position registreres kun, når medarbejderen er logget ind på vagt."
            ),
        },
        "log_retention_days": 180,
        "legal_basis": "public_task",
        # The visited services reveal the citizens' health; the workers' own health is not processed.
        "special_category_basis": "health_or_social_care",
        "automated_decision": "supports_human",
        "significant_effect": False,
        "human_oversight": {
            "description": (
                "Planlæggeren godkender altid planen før udsendelse og kan flytte besøg manuelt. "
                "Medarbejderen kan melde tilbage i appen, hvis en rute ikke kan nås."
            ),
            "overseer_role": "Planlægger i distriktet",
            "trained": True,
        },
        "contest_channel": (
            "Medarbejdere kan gøre indsigelse mod en rute over for planlæggeren eller via "
            "tillidsrepræsentanten; uenighed om tidsnormer behandles i lokal-MED Hjemmeplejen."
        ),
        "ai_act": {"risk_class": "minimal", "profiling": False, "emotion_recognition": False},
        "dpia": {"status": "done", "date": "2025-01-20", "reference": "DPIA-2025-004 Ruteplanlægning"},
        "notice": {
            "given_at": "2025-02-10",
            "audience": "Alle medarbejdere i Hjemmeplejen, distrikt Nord",
            "text_ref": "Varsling af GPS-registrering i RuteKlar, version 1.0 af 10. februar 2025",
        },
        "consultation": {
            "committee": "lokal-MED",
            "informed_at": "2024-11-19",
            "discussed_at": "2024-12-17",
            "decided_at": "2025-01-28",
            "minutes_ref": "Referat lokal-MED Hjemmeplejen 28.01.2025, pkt. 4",
        },
        "workers_informed_at": "2025-02-10",
        "employee_notice_ref": "Oplysning om behandling af personoplysninger i RuteKlar, version 1.0",
        "go_live_at": "2025-03-24",
        "operated_by": "employer",
        "usage_policy": {
            "expected_use": (
                "Planlæggeren bruger planforslaget som udgangspunkt. Medarbejderne følger ruten i appen, men "
                "faglige hensyn hos borgeren går altid forud for den planlagte tid."
            ),
            "guideline_ref": FJORDBY_AI_GUIDELINE,
        },
        "training": {
            "provided": True,
            "description": (
                "To timers introduktion til appen og GPS-registreringen for alle medarbejdere i distriktet; "
                "planlæggerne har haft to dages kursus hos leverandøren."
            ),
            "hours_per_employee": 2,
        },
        "time_savings": {
            "expected_hours_per_week": 40,
            "freed_time_use": (
                "Aftalt i lokal-MED: frigjort køretid bruges til længere besøg og faglig sparring, ikke til "
                "flere besøg pr. vagt."
            ),
        },
        "apv_last_assessed_at": "2024-10-01",
        "contact": {
            "name": "Mette Kjærgaard, udviklingskonsulent, Sundhed og Omsorg",
            "email": "mekj@fjordby-kommune.dk",
        },
    },
    "revisions": [
        (
            "Status ændret fra pilot til i drift efter behandling i lokal-MED Hjemmeplejen 12. juni 2025; "
            "udrullet til distrikt Syd med ny varsling",
            {
                "status": "in_use",
                "unit_ids": ["hjemmepleje"],
                "affected_headcount": 500,
                "notice": {
                    "given_at": "2025-06-16",
                    "audience": "Alle medarbejdere i Hjemmeplejen, distrikt Nord og Syd",
                    "text_ref": "Varsling af GPS-registrering i RuteKlar, version 2.0 af 16. juni 2025",
                },
                "consultation": {
                    "committee": "lokal-MED",
                    "informed_at": "2024-11-19",
                    "discussed_at": "2025-05-20",
                    "decided_at": "2025-06-12",
                    "minutes_ref": "Referat lokal-MED Hjemmeplejen 12.06.2025, pkt. 3",
                },
            },
        ),
        (
            "APV-opfølgning: tidspres mellem besøg kortlagt efter udrulningen; fast buffertid på 5 minutter "
            "pr. besøg lagt ind i planen",
            {
                "apv_last_assessed_at": "2025-10-07",
                "usage_policy": {
                    "expected_use": (
                        "Planlæggeren bruger planforslaget som udgangspunkt. Planen indeholder 5 minutters "
                        "buffer pr. besøg, som ikke må planlægges væk. Faglige hensyn hos borgeren går altid "
                        "forud for den planlagte tid."
                    ),
                    "guideline_ref": FJORDBY_AI_GUIDELINE,
                },
            },
        ),
        (
            "Tilføjet realiseret tidsbesparelse efter 6 måneders drift i begge distrikter",
            {
                "time_savings": {
                    "expected_hours_per_week": 40,
                    "realised_hours_per_week": 26,
                    "realised_at": "2025-12-15",
                    "freed_time_use": (
                        "Aftalt i lokal-MED: frigjort køretid bruges til længere besøg og faglig sparring, "
                        "ikke til flere besøg pr. vagt. Planlæggerne bruger den sparede tid på kontinuitet i "
                        "borgerforløb."
                    ),
                },
            },
        ),
    ],
}

ROAD_CAMERA: dict[str, Any] = {
    "fields": {
        "name": "Kamerabaseret registrering af vejskader",
        "vendor": "Asfaltsyn ApS",
        "product": "VejSyn AI",
        "description": (
            "Kameraer bag forruden på 14 af kommunens vejmandsbiler og arbejdskøretøjer filmer vejbanen "
            "under den almindelige kørsel. En billedmodel finder huller, revner og slidt afmærkning og "
            "placerer dem på et kort, som Vej og park bruger til at prioritere asfaltarbejdet. Kameraerne "
            "optager tilfældigt fodgængere, cyklister og nummerplader, og medarbejdere, der arbejder foran "
            "bilen. Ansigter og nummerplader sløres i bilen, før billederne sendes. Sammen med kørselsplanen "
            "kan bilens GPS-spor henføres til den enkelte chauffør."
        ),
        "purpose": (
            "At finde og prioritere vejskader tidligere og mere systematisk end ved manuelle vejsyn, så "
            "vedligeholdelsesbudgettet bruges, hvor skaderne er størst."
        ),
        "operational_reason": (
            "Kommunen har ca. 780 km kommuneveje. Det manuelle vejsyn hvert andet år gav et forældet "
            "billede, og antallet af erstatningskrav for skader på cykler og biler steg i 2023."
        ),
        "category": "monitoring",
        "control_measure": True,
        "status": "in_use",
        "unit_ids": ["vej_park"],
        "affected_groups": [
            "Chauffører og vejarbejdere i Vej og park",
            "Vejingeniører",
            "Trafikanter, der optages tilfældigt",
        ],
        "affected_headcount": 38,
        "data_categories": ["images_video", "location", "employment"],
        "data_sources": [
            "Forrudekamera i 14 kommunale køretøjer",
            "Køretøjets GPS",
            "Kørselsplan for vejmandsbilerne",
        ],
        "access": [
            {
                "role": "Vejingeniør i Vej og park",
                "scope": "aggregate",
                "purpose": "Skadeskort og prioritering; ser kun slørede billeder af vejbanen.",
            },
            {
                "role": "Leverandørens driftsteam",
                "scope": "individual",
                "purpose": "Drift og kvalitetssikring af billedmodellen; databehandleraftale indgået.",
            },
        ],
        "retention": {
            "period_days": 30,
            "description": (
                "Rå billeder slettes efter 30 dage. Registrerede skader med slørede billedudsnit gemmes, til "
                "skaden er udbedret, dog højst 3 år."
            ),
        },
        "log_retention_days": 90,
        "legal_basis": "public_task",
        "automated_decision": "none",
        "significant_effect": False,
        "human_oversight": {
            "description": (
                "En vejingeniør gennemgår alle skader, modellen markerer som alvorlige, før der bestilles "
                "udbedring."
            ),
            "overseer_role": "Vejingeniør",
            "trained": True,
        },
        "ai_act": {"risk_class": "minimal", "profiling": False, "emotion_recognition": False},
        "dpia": {
            "status": "screened",
            "date": "2024-02-12",
            "reference": "Screening PS-2024-011: ingen høj risiko ved sløring i køretøjet",
        },
        "notice": {
            "given_at": "2024-03-18",
            "audience": "Chauffører og vejarbejdere i Vej og park",
            "text_ref": "Varsling af kamera og GPS på kommunale køretøjer af 18. marts 2024",
        },
        "consultation": {
            "committee": "lokal-MED",
            "informed_at": "2024-01-16",
            "discussed_at": "2024-02-20",
            "decided_at": "2024-03-12",
            "minutes_ref": "Referat lokal-MED Vej og park 12.03.2024, pkt. 3",
        },
        "workers_informed_at": "2024-03-18",
        "employee_notice_ref": "Oplysning om kamera og GPS i kommunens køretøjer, version 1",
        "go_live_at": "2024-05-06",
        "operated_by": "vendor",
        "operator_name": "Asfaltsyn ApS",
        "training": {
            "provided": True,
            "description": (
                "Kort instruktion i kameraets tænd/sluk og skiltning på bilen for chauffører; vejingeniører "
                "oplært i skadeskortet."
            ),
            "hours_per_employee": 1,
        },
        "apv_last_assessed_at": "2024-04-09",
        "contact": {
            "name": "Jonas Vestergaard, teamleder, Drift og anlæg",
            "email": "jove@fjordby-kommune.dk",
        },
    },
    "revisions": [
        (
            "Adgang præciseret efter spørgsmål fra arbejdsmiljørepræsentanten i lokal-MED Vej og park 10. "
            "september 2024: driftsledelsen kan ikke se GPS-spor pr. chauffør",
            {
                "access": [
                    {
                        "role": "Vejingeniør i Vej og park",
                        "scope": "aggregate",
                        "purpose": "Skadeskort og prioritering; ser kun slørede billeder af vejbanen.",
                    },
                    {
                        "role": "Driftsleder i Vej og park",
                        "scope": "aggregate",
                        "purpose": "Kun kørte kilometer pr. køretøj og uge; ikke GPS-spor eller billeder.",
                    },
                    {
                        "role": "Leverandørens driftsteam",
                        "scope": "individual",
                        "purpose": (
                            "Drift og kvalitetssikring af billedmodellen; databehandleraftale indgået."
                        ),
                    },
                ],
                "contest_channel": (
                    "Medarbejdere, der mener, at billeder eller GPS-spor er brugt til kontrol af dem, kan "
                    "henvende sig til tillidsrepræsentanten eller direkte til kommunens "
                    "databeskyttelsesrådgiver."
                ),
            },
        ),
        (
            "Opbevaring af rå billeder nedsat fra 30 til 7 dage efter leverandørens opdatering af sløringen",
            {
                "retention": {
                    "period_days": 7,
                    "description": (
                        "Rå billeder slettes efter 7 dage. Registrerede skader med slørede billedudsnit "
                        "gemmes, til skaden er udbedret, dog højst 3 år."
                    ),
                },
            },
        ),
        (
            "Udfaset: pilotaftalen med leverandøren udløb 30. juni 2026 og fornyes ikke; leverandøren har "
            "bekræftet sletning af billeder og GPS-spor",
            {"status": "retired", "retired_at": "2026-06-30"},
        ),
    ],
}

JOB_ASSISTANT: dict[str, Any] = {
    "note": "Registreret før orientering i lokal-MED Jobcenter og Borgerservice",
    "fields": {
        "name": "Generativ sagsassistent i Jobcenteret",
        "vendor": "Datafælles Kommune-IT A/S",
        "product": "SagsAssistent (sprogmodel i EU-datacenter)",
        "description": (
            "Chatbaseret assistent, som sagsbehandlere kan bruge til at opsummere lange sagsakter, skrive "
            "udkast til breve og journalnotater i klart sprog og slå op i lovgivning og kommunens egne "
            "vejledninger. Assistenten er ikke koblet til sagssystemet; sagsbehandleren indsætter selv "
            "tekst. Borgeroplysninger, herunder helbredsoplysninger i sygedagpenge- og "
            "ressourceforløbssager, kan derfor forekomme i forespørgslerne; de behandles efter "
            "databeskyttelsesforordningens art. 9, stk. 2, litra b (social sikring). Sprogmodellen trænes "
            "ikke på kommunens data. Sagsbehandleren er altid ansvarlig for afgørelsen og for det færdige "
            "brev."
        ),
        "purpose": (
            "At mindske tiden til dokumentation og brevskrivning, så sagsbehandlerne får mere tid til "
            "samtaler med borgerne."
        ),
        "operational_reason": (
            "Sagsbehandlerne brugte ifølge kommunens tidsmåling i 2024 omkring 40 % af arbejdstiden på "
            "dokumentation. Sagstallet er steget, og det er svært at rekruttere erfarne sagsbehandlere."
        ),
        "category": "generative_assistant",
        "control_measure": False,
        "status": "planned",
        "unit_ids": ["jobcenter"],
        "affected_groups": [
            "Sagsbehandlere i Jobcenteret",
            "Administrative medarbejdere i Borgerservice",
            "Borgere, hvis sager behandles",
        ],
        "affected_headcount": 120,
        "data_categories": [
            "identification",
            "contact_details",
            "communications",
            "device_usage",
            "financial",
            "health",
        ],
        "data_sources": [
            "Tekst, som sagsbehandleren selv indsætter fra sagssystemet",
            "Kommunens vejledninger og gældende lovgivning",
            "Brugslog fra assistenten",
        ],
        "access": [
            {
                "role": "Den enkelte sagsbehandler",
                "scope": "individual",
                "purpose": "Egne samtaler med assistenten.",
            },
            {
                "role": "IT-sikkerhed",
                "scope": "individual",
                "purpose": (
                    "Undersøgelse af sikkerhedshændelser. Brugsloggen bruges ikke til at vurdere den "
                    "enkeltes arbejde."
                ),
            },
            {
                "role": "Jobcenterchef",
                "scope": "aggregate",
                "purpose": "Antal brugere og forespørgsler pr. uge til evaluering af piloten.",
            },
        ],
        "retention": {
            "period_days": 30,
            "description": (
                "Samtaler slettes automatisk efter 30 dage. Færdige breve og notater journaliseres i "
                "sagssystemet efter de almindelige regler."
            ),
        },
        "log_retention_days": 180,
        "legal_basis": "public_task",
        "special_category_basis": "employment_obligations",
        "automated_decision": "supports_human",
        "significant_effect": False,
        "human_oversight": {
            "description": (
                "Sagsbehandleren læser og retter alle udkast og træffer selv afgørelsen. Teamlederne følger "
                "op på kvaliteten med stikprøver af breve."
            ),
            "overseer_role": "Sagsbehandler og teamleder",
            "trained": False,
        },
        "ai_act": {"risk_class": "limited", "profiling": False, "emotion_recognition": False},
        "dpia": {"status": "planned"},
        "consultation": {
            "committee": "lokal-MED",
            "informed_at": "2025-09-23",
            "discussed_at": "2025-10-28",
            "minutes_ref": "Referat lokal-MED Jobcenter og Borgerservice 28.10.2025, pkt. 5",
        },
        "operated_by": "vendor",
        "operator_name": "Datafælles Kommune-IT A/S",
        "usage_policy": {
            "expected_use": (
                "Må bruges til opsummering, udkast og opslag. Må ikke bruges til at vurdere borgeres ret til "
                "ydelser eller til at træffe afgørelser (jf. AI-forordningens bilag III, pkt. 5(a)). Brug er "
                "frivillig i piloten; ingen skal bruge assistenten for at nå sine mål. Tekst skrevet med "
                "assistenten mærkes i journalnotatet."
            ),
            "guideline_ref": (
                "Fjordby Kommunes retningslinje for generativ AI, version 2.0 (hoved-MED 04.09.2025)"
            ),
            "ai_content_labelled": True,
        },
        "training": {
            "provided": False,
            "description": (
                "Planlagt: tre timers kursus i AI-kompetencer (AI-forordningens art. 4) før pilotstart."
            ),
        },
        "time_savings": {
            "expected_hours_per_week": 60,
            "freed_time_use": (
                "Aftalt i lokal-MED: frigjort tid bruges til borgersamtaler og til at nedbringe sagspukler, "
                "ikke til at øge sagstallet pr. medarbejder."
            ),
        },
        "contact": {
            "name": "Sara Holm Jensen, digitaliseringskonsulent, Jobcenter og Borgerservice",
            "email": "sahj@fjordby-kommune.dk",
        },
    },
    "revisions": [
        (
            "DPIA gennemført og godkendt af databeskyttelsesrådgiveren; status ændret fra planlagt til pilot "
            "i to sygedagpengeteams fra 2. februar 2026 efter beslutning i lokal-MED 9. december 2025",
            {
                "status": "pilot",
                "go_live_at": "2026-02-02",
                "dpia": {"status": "done", "date": "2025-12-15", "reference": "DPIA-2025-019 SagsAssistent"},
                "consultation": {
                    "committee": "lokal-MED",
                    "informed_at": "2025-09-23",
                    "discussed_at": "2025-10-28",
                    "decided_at": "2025-12-09",
                    "minutes_ref": "Referat lokal-MED Jobcenter og Borgerservice 09.12.2025, pkt. 2",
                },
                "workers_informed_at": "2026-01-12",
                "employee_notice_ref": (
                    "Information til medarbejdere om SagsAssistent og brugslog, version 1.0"
                ),
                "training": {
                    "provided": True,
                    "description": (
                        "Tre timers kursus i AI-kompetencer (AI-forordningens art. 4): hvad sprogmodeller "
                        "kan og ikke kan, fejlsvar, personoplysninger i forespørgsler og mærkning af tekst."
                    ),
                    "hours_per_employee": 3,
                },
                "human_oversight": {
                    "description": (
                        "Sagsbehandleren læser og retter alle udkast og træffer selv afgørelsen. Teamlederne "
                        "følger op på kvaliteten med stikprøver af breve."
                    ),
                    "overseer_role": "Sagsbehandler og teamleder",
                    "trained": True,
                },
            },
        ),
        (
            "Pilot udvidet til hele sygedagpengeområdet efter midtvejsevaluering i lokal-MED 19. maj 2026; "
            "APV-spørgsmål om arbejdspres og brug af AI besvaret af alle deltagere",
            {"affected_headcount": 165, "apv_last_assessed_at": "2026-04-21"},
        ),
        (
            "Tilføjet realiseret tidsbesparelse fra midtvejsevalueringen",
            {
                "time_savings": {
                    "expected_hours_per_week": 60,
                    "realised_hours_per_week": 31,
                    "realised_at": "2026-06-30",
                    "freed_time_use": (
                        "Aftalt i lokal-MED: frigjort tid bruges til borgersamtaler og til at nedbringe "
                        "sagspukler, ikke til at øge sagstallet pr. medarbejder. Ventetiden på første "
                        "opfølgningssamtale er faldet fra 11 til 7 arbejdsdage."
                    ),
                },
            },
        ),
    ],
}

# =====================================================================================================
# 2. Region Østerdal (region, MED)
# =====================================================================================================

OSTERDAL_UNITS: list[dict[str, Any]] = [
    {
        "key": "regions_med",
        "name": "Regions-MED, Region Østerdal",
        "committee": "hoved-MED",
        "headcount": 11800,
    },
    {
        "key": "sygehus",
        "name": "Østerdal Sygehus",
        "parent": "regions_med",
        "committee": "lokal-MED",
        "headcount": 4300,
    },
    {
        "key": "radiologi",
        "name": "Røntgen og Skanning, Østerdal Sygehus",
        "parent": "sygehus",
        "committee": "lokal-MED",
        "headcount": 185,
    },
    {
        "key": "akut",
        "name": "Akutafdelingen, Østerdal Sygehus",
        "parent": "sygehus",
        "committee": "lokal-MED",
        "headcount": 240,
    },
]

XRAY_TRIAGE: dict[str, Any] = {
    "fields": {
        "name": "AI-triage af røntgenbilleder af thorax",
        "vendor": "NordRad Analytics ApS",
        "product": "ThoraxTriage (CE-mærket medicinsk udstyr, klasse IIb)",
        "description": (
            "Billedmodel, der analyserer alle røntgenbilleder af thorax fra akutafdelingen, ambulatorier og "
            "praktiserende læger. Billeder uden fund samles på en særskilt arbejdsliste, og billeder med "
            "mistanke om fx pneumothorax, lungebetændelse eller væske prioriteres øverst. Alle billeder "
            "beskrives fortsat af en radiolog. Systemet er medicinsk udstyr efter MDR og derfor højrisiko "
            "efter AI-forordningens art. 6, stk. 1, og bilag I, ikke efter bilag III; derfor er intet bilag "
            "III-punkt angivet, og regionen har frivilligt lavet en konsekvensanalyse for grundlæggende "
            "rettigheder. For medarbejderne ændrer systemet arbejdet: radiologerne arbejder ud fra en ny, "
            "prioriteret arbejdsliste, og radiograferne kontrollerer billedkvaliteten, før billedet sendes "
            "til analyse."
        ),
        "purpose": (
            "At få akutte fund beskrevet hurtigere og at nedbringe ventetiden på beskrivelser, som i 2024 "
            "var op til 9 dage for ambulante thoraxbilleder."
        ),
        "operational_reason": (
            "Afdelingen har 4 ubesatte radiologstillinger og ca. 38.000 thoraxundersøgelser om året. Lange "
            "svartider forsinker udredning og behandling."
        ),
        "category": "decision_support",
        "control_measure": False,
        "status": "pilot",
        "unit_ids": ["radiologi"],
        "affected_groups": ["Radiologer", "Radiografer", "Læger i Akutafdelingen", "Patienter"],
        "affected_headcount": 150,
        "data_categories": ["identification", "health", "images_video", "work_performance"],
        "data_sources": [
            "Røntgenbilleder fra afdelingens PACS",
            "Henvisningsoplysninger (alder, køn, henvisningsårsag)",
            "Radiologens endelige beskrivelse (til kvalitetsopfølgning)",
        ],
        "access": [
            {
                "role": "Radiolog",
                "scope": "individual",
                "purpose": "Ser AI-markeringer og prioritering på den enkelte patients billeder.",
            },
            {
                "role": "Radiograf",
                "scope": "individual",
                "purpose": "Ser, om billedet er godkendt til analyse.",
            },
            {
                "role": "Kvalitetsansvarlig overlæge",
                "scope": "aggregate",
                "purpose": "Overensstemmelse mellem AI og radiologer på afdelingsniveau, ikke pr. radiolog.",
            },
        ],
        "retention": {
            "period_days": 3650,
            "description": (
                "AI-resultatet gemmes som en del af patientjournalen efter journalføringsreglerne (mindst 10 "
                "år). Leverandøren gemmer ikke billeder efter analysen."
            ),
        },
        "log_retention_days": 365,
        "legal_basis": "public_task",
        "special_category_basis": "health_or_social_care",
        "automated_decision": "supports_human",
        "significant_effect": True,
        "human_oversight": {
            "description": (
                "En radiolog beskriver alle billeder, også dem, der sorteres som normale. Den "
                "kvalitetsansvarlige overlæge følger løbende overensstemmelsen og kan sætte systemet på "
                "pause (AI-forordningens art. 26, stk. 5)."
            ),
            "overseer_role": "Kvalitetsansvarlig overlæge, Røntgen og Skanning",
            "trained": True,
        },
        "contest_channel": (
            "Radiologer registrerer uenighed med AI-vurderingen direkte i arbejdslisten. Medarbejdere kan "
            "rejse bekymringer i lokal-MED eller via arbejdsmiljørepræsentanten; patienter via regionens "
            "patientkontor."
        ),
        "ai_act": {
            "risk_class": "high_risk",
            "annex_iii_point": None,
            "profiling": False,
            "emotion_recognition": False,
            "fria_date": "2025-03-03",
        },
        "dpia": {
            "status": "done",
            "date": "2025-02-14",
            "reference": "Region Østerdal DPIA 2025-07 ThoraxTriage",
        },
        "consultation": {
            "committee": "lokal-MED",
            "informed_at": "2024-10-08",
            "discussed_at": "2024-11-12",
            "decided_at": "2025-01-14",
            "minutes_ref": "Referat lokal-MED Røntgen og Skanning 14.01.2025, pkt. 2",
        },
        "workers_informed_at": "2025-02-03",
        "employee_notice_ref": "Medarbejderinformation om ThoraxTriage, version 1.0",
        "go_live_at": "2025-04-01",
        "operated_by": "employer",
        "usage_policy": {
            "expected_use": (
                "AI-prioriteringen er et hjælpemiddel. Radiologen må ikke springe beskrivelsen over, fordi "
                "billedet er sorteret som normalt, og skal selv vurdere alle markeringer."
            ),
            "guideline_ref": "Region Østerdals retningslinje for klinisk brug af AI, version 1.2",
            "ai_content_labelled": True,
        },
        "training": {
            "provided": True,
            "description": (
                "Fire timers oplæring for radiologer i systemets styrker, kendte fejltyper og "
                "automatiseringsbias; to timer for radiografer i kvalitetskontrol af billeder."
            ),
            "hours_per_employee": 4,
        },
        "time_savings": {
            "expected_hours_per_week": 25,
            "freed_time_use": (
                "Frigjort radiologtid bruges til at nedbringe ventelisten på CT- og MR-beskrivelser."
            ),
        },
        "apv_last_assessed_at": "2024-09-17",
        "contact": {
            "name": "Anders Lykke Poulsen, ledende overlæge, Røntgen og Skanning",
            "email": "anlypo@region-oesterdal.dk",
        },
    },
    "revisions": [
        (
            "Status ændret fra pilot til i drift efter evaluering i lokal-MED Røntgen og Skanning 10. juni "
            "2025",
            {"status": "in_use"},
        ),
        (
            "Systemet sat på pause 3. november 2025: efter leverandørens softwareopdatering viste "
            "kvalitetskontrollen flere oversete pneumothorax-fund (AI-forordningens art. 26, stk. 5); "
            "leverandøren og Lægemiddelstyrelsen er orienteret",
            {"status": "suspended"},
        ),
        (
            "Genoptaget efter valideret rettelse (version 3.2.1) og ny gennemgang i lokal-MED; DPIA og APV "
            "opdateret",
            {
                "status": "in_use",
                "dpia": {
                    "status": "done",
                    "date": "2025-12-01",
                    "reference": "Region Østerdal DPIA 2025-07 ThoraxTriage, rev. 2",
                },
                "apv_last_assessed_at": "2025-12-09",
            },
        ),
        (
            "Tilføjet realiseret tidsbesparelse efter 6 måneders samlet drift",
            {
                "time_savings": {
                    "expected_hours_per_week": 25,
                    "realised_hours_per_week": 18,
                    "realised_at": "2026-06-15",
                    "freed_time_use": (
                        "Frigjort radiologtid bruges til at nedbringe ventelisten på CT- og MR-beskrivelser; "
                        "ventetiden på ambulante thoraxbeskrivelser er faldet til 2 dage."
                    ),
                },
            },
        ),
    ],
}

# =====================================================================================================
# 3. Nordlys Energi & Service A/S (private company, SU)
# =====================================================================================================

NORDLYS_UNITS: list[dict[str, Any]] = [
    {
        "key": "su",
        "name": "Samarbejdsudvalget, Nordlys Energi & Service",
        "committee": "SU",
        "headcount": 640,
    },
    {"key": "kundeservice", "name": "Kundeservice", "parent": "su", "headcount": 145},
    {"key": "hr", "name": "HR og rekruttering", "parent": "su", "headcount": 16},
    {"key": "transport", "name": "Transport og levering", "parent": "su", "headcount": 92},
]

NORDLYS_AI_POLICY = "Nordlys' politik for brug af kunstig intelligens, version 1.0 (SU 2024)"

_CALL_QA_DESCRIPTION = (
    "Alle optagede kundeopkald transskriberes automatisk. En sprogmodel scorer hvert opkald på faste "
    "kvalitetspunkter: om kundens problem blev løst i første opkald, om samtalen fulgte den aftalte "
    "struktur, og om kunden fik oplysning om pris og binding ved aftaleskift. Teamlederen ser scorerne og "
    "udvalgte opkald og bruger dem til coaching. Leverandørens modul til stemningsanalyse af medarbejderens "
    "stemme er slået fra, da følelsesgenkendelse på arbejdspladsen er forbudt efter AI-forordningens art. 5, "
    "stk. 1, litra f."
)

CALL_QA: dict[str, Any] = {
    "fields": {
        "name": "Talegenkendelse og kvalitetsscoring af kundeopkald",
        "vendor": "Samtaleindsigt ApS",
        "product": "CallInsight QA",
        "description": _CALL_QA_DESCRIPTION,
        "purpose": (
            "At sikre, at kunderne får korrekte oplysninger, og at give medarbejderne målrettet sparring på "
            "grundlag af flere opkald end de ca. 4 stikprøver pr. måned, teamlederne kunne nå at lytte til."
        ),
        "operational_reason": (
            "Flere kundeklager i 2024 over manglende oplysninger ved skift af el-aftale; teamlederne kunne "
            "kun gennemlytte ca. 4 opkald pr. medarbejder pr. måned."
        ),
        "category": "monitoring",
        "control_measure": True,
        "status": "in_use",
        "unit_ids": ["kundeservice"],
        "affected_groups": [
            "Kundeservicemedarbejdere",
            "Teamledere i Kundeservice",
            "Kunder, der ringer ind",
        ],
        "affected_headcount": 128,
        "data_categories": ["identification", "voice", "communications", "work_performance", "behaviour"],
        "data_sources": [
            "Optagelser fra telefonisystemet",
            "Automatiske transskriptioner",
            "Medarbejder-ID fra telefonisystemet",
            "Henvendelsens kategori i CRM-systemet",
        ],
        "access": [
            {
                "role": "Nærmeste teamleder",
                "scope": "individual",
                "purpose": "Coaching af egne medarbejdere; kan lytte til udvalgte opkald.",
            },
            {"role": "Kundeservicechef", "scope": "aggregate", "purpose": "Kvalitet pr. team og emne."},
            {"role": "HR", "scope": "individual", "purpose": "Personalesager."},
        ],
        "retention": {
            "period_days": 90,
            "description": (
                "Optagelser og transskriptioner slettes efter 90 dage. Scorer pr. medarbejder gemmes i 12 "
                "måneder og derefter kun samlet pr. team."
            ),
        },
        "log_retention_days": 90,
        "legal_basis": "legitimate_interests",
        "automated_decision": "supports_human",
        "significant_effect": False,
        "human_oversight": {
            "description": (
                "Scorer bruges kun sammen med teamlederens egen gennemlytning; der tages ingen "
                "personalemæssige skridt alene på grundlag af scorer."
            ),
            "overseer_role": "Teamleder i Kundeservice",
            "trained": True,
        },
        "contest_channel": (
            "Medarbejderen kan bede teamlederen om at lytte til et opkald igen; uenighed kan rejses via "
            "tillidsrepræsentanten og behandles i SU."
        ),
        # Scoring each agent's calls evaluates work performance: profiling, Annex III point 4(b).
        "ai_act": {
            "risk_class": "high_risk",
            "annex_iii_point": "4(b)",
            "profiling": True,
            "emotion_recognition": False,
        },
        "dpia": {
            "status": "done",
            "date": "2025-01-15",
            "reference": "DPIA Kundeservice 2025-01 CallInsight",
        },
        "notice": {
            "given_at": "2025-02-17",
            "audience": "Alle medarbejdere i Kundeservice",
            "text_ref": (
                "Varsling af kontrolforanstaltning: kvalitetsscoring af opkald, version 1 (17.02.2025)"
            ),
        },
        "consultation": {
            "committee": "SU",
            "informed_at": "2024-12-10",
            "discussed_at": "2025-01-21",
            "decided_at": "2025-02-11",
            "minutes_ref": "SU-referat 11.02.2025, pkt. 3",
        },
        "workers_informed_at": "2025-02-17",
        "employee_notice_ref": "Medarbejderinformation om personoplysninger i CallInsight QA, version 1",
        "go_live_at": "2025-04-01",
        "operated_by": "employer",
        "usage_policy": {
            "expected_use": (
                "Scorerne er et coachingværktøj og bruges ikke til løn, bonus eller afskedigelse."
            ),
            "guideline_ref": NORDLYS_AI_POLICY,
        },
        "training": {
            "provided": True,
            "description": (
                "Teamledere: 6 timer om tolkning af scorer og modellens fejl ved dialekt og baggrundsstøj. "
                "Medarbejdere: halvanden times introduktion."
            ),
            "hours_per_employee": 1.5,
        },
        "time_savings": {
            "expected_hours_per_week": 12,
            "freed_time_use": "Teamledernes frigjorte tid bruges til individuel sparring med medarbejderne.",
        },
        "apv_last_assessed_at": "2024-11-05",
        "contact": {"name": "Louise Dam, kundeservicechef", "email": "louise.dam@nordlys-energi.dk"},
    },
    "revisions": [
        (
            "Logopbevaring forlænget fra 90 til 183 dage jf. AI-forordningen art. 26(6)",
            {"log_retention_days": 183},
        ),
        (
            "Adgang ændret efter spørgsmål fra tillidsrepræsentanten i SU 3. juni 2025: medarbejderne ser "
            "egne scorer, og HR ser kun enkeltscorer i en konkret personalesag",
            {
                "access": [
                    {
                        "role": "Den enkelte medarbejder",
                        "scope": "individual",
                        "purpose": "Ser egne scorer og kan lytte til egne opkald.",
                    },
                    {
                        "role": "Nærmeste teamleder",
                        "scope": "individual",
                        "purpose": "Coaching af egne medarbejdere; kan lytte til udvalgte opkald.",
                    },
                    {
                        "role": "Kundeservicechef",
                        "scope": "aggregate",
                        "purpose": "Kvalitet pr. team og emne.",
                    },
                    {
                        "role": "HR",
                        "scope": "individual",
                        "purpose": (
                            "Kun i en konkret personalesag, hvor medarbejderen og tillidsrepræsentanten er "
                            "orienteret."
                        ),
                    },
                ],
                "human_oversight": {
                    "description": (
                        "Scorer bruges kun sammen med teamlederens egen gennemlytning; der tages ingen "
                        "personalemæssige skridt alene på grundlag af scorer. Medarbejderen kan se og "
                        "kommentere sine scorer."
                    ),
                    "overseer_role": "Teamleder i Kundeservice",
                    "trained": True,
                },
            },
        ),
        (
            "Ny varsling: scoringen udvidet med kontrol af oplysning om fortrydelsesret ved salg af nye "
            "aftaler (væsentlig ændring af kontrolforanstaltningen), drøftet i SU 9. september 2025",
            {
                "description": _CALL_QA_DESCRIPTION.replace(
                    "om kunden fik oplysning om pris og binding ved aftaleskift",
                    "om kunden fik oplysning om pris, binding og fortrydelsesret ved nye aftaler og "
                    "aftaleskift",
                ),
                "notice": {
                    "given_at": "2025-09-15",
                    "audience": "Alle medarbejdere i Kundeservice",
                    "text_ref": "Varsling af ændret kvalitetsscoring af opkald, version 2 (15.09.2025)",
                },
                "consultation": {
                    "committee": "SU",
                    "informed_at": "2025-08-12",
                    "discussed_at": "2025-09-09",
                    "decided_at": "2025-09-09",
                    "minutes_ref": "SU-referat 09.09.2025, pkt. 4",
                },
                "employee_notice_ref": (
                    "Medarbejderinformation om personoplysninger i CallInsight QA, version 2"
                ),
            },
        ),
        (
            "Tilføjet realiseret tidsbesparelse efter 6 måneders drift",
            {
                "time_savings": {
                    "expected_hours_per_week": 12,
                    "realised_hours_per_week": 9.5,
                    "realised_at": "2025-10-31",
                    "freed_time_use": (
                        "Teamledernes frigjorte tid bruges til individuel sparring; hver medarbejder har nu "
                        "en fast coachingsamtale hver anden uge."
                    ),
                },
            },
        ),
    ],
}

CV_SCREENING: dict[str, Any] = {
    "note": "Registreret inden orientering af SU",
    "fields": {
        "name": "AI-sortering af ansøgninger i rekruttering",
        "vendor": "TalentSort ApS",
        "product": "TalentSort Match",
        "description": (
            "Modellen læser ansøgninger og CV'er i rekrutteringssystemet og rangerer ansøgerne efter, hvor "
            "godt de matcher stillingsopslagets krav til uddannelse, erfaring og certifikater (fx kørekort "
            "C/CE og ADR-bevis til chaufførstillinger). Rekrutteringskonsulenten ser rangeringen med en "
            "forklaring pr. kriterium. Alle ansøgninger kan stadig åbnes og læses, og ingen ansøger får "
            "afslag, uden at en medarbejder har set ansøgningen. Navn, alder, køn, foto og adresse skjules, "
            "før modellen læser ansøgningen."
        ),
        "purpose": (
            "At forkorte tiden fra ansøgningsfrist til første samtale i stillinger med mange ansøgere og at "
            "gøre den første udvælgelse mere ensartet."
        ),
        "operational_reason": (
            "Nordlys rekrutterer ca. 120 medarbejdere om året. Opslag i Kundeservice får ofte over 200 "
            "ansøgninger, og den første sortering tager 2-3 arbejdsdage pr. opslag."
        ),
        "category": "decision_support",
        "control_measure": False,
        "status": "planned",
        "unit_ids": ["hr", "kundeservice"],
        "affected_groups": [
            "Ansøgere til stillinger i Nordlys",
            "Interne ansøgere (nuværende medarbejdere)",
            "Rekrutteringskonsulenter og ansættende ledere",
        ],
        "affected_headcount": 3000,
        "data_categories": ["identification", "contact_details", "employment"],
        "data_sources": [
            "Ansøgning og CV uploadet af ansøgeren",
            "Stillingsopslagets kravprofil",
            "Rekrutteringskonsulentens endelige vurdering (til kvalitetsopfølgning)",
        ],
        "access": [
            {
                "role": "Rekrutteringskonsulent i HR",
                "scope": "individual",
                "purpose": "Ser rangering og forklaring pr. ansøger i egne rekrutteringer.",
            },
            {
                "role": "Ansættende leder",
                "scope": "individual",
                "purpose": "Ser rangeringen af ansøgere til egen stilling.",
            },
            {
                "role": "HR-chef",
                "scope": "aggregate",
                "purpose": (
                    "Opfølgning på skævhed: rangeringens fordeling på køn og alder, beregnet uden for "
                    "modellen."
                ),
            },
        ],
        "retention": {
            "period_days": 180,
            "description": (
                "Ansøgninger og rangeringer slettes 6 måneder efter, at stillingen er besat, medmindre "
                "ansøgeren har givet samtykke til længere opbevaring."
            ),
        },
        "log_retention_days": 183,
        "legal_basis": "contract",
        "automated_decision": "supports_human",
        "significant_effect": True,
        "human_oversight": {
            "description": (
                "En rekrutteringskonsulent gennemgår mindst de 30 højest rangerede og en stikprøve af de "
                "øvrige ansøgninger i hver rekruttering og kan altid tilsidesætte rangeringen."
            ),
            "overseer_role": "Senior rekrutteringskonsulent",
            "trained": False,
        },
        "contest_channel": (
            "Ansøgere kan via rekruttering@nordlys-energi.dk få en forklaring på brugen af AI i deres sag og "
            "bede om en ny, manuel vurdering (GDPR art. 22 og AI-forordningens art. 86)."
        ),
        "ai_act": {
            "risk_class": "high_risk",
            "annex_iii_point": "4(a)",
            "profiling": True,
            "emotion_recognition": False,
        },
        "dpia": {"status": "planned"},
        "consultation": {
            "committee": "SU",
            "informed_at": "2025-06-10",
            "discussed_at": "2025-08-26",
            "minutes_ref": "SU-referat 26.08.2025, pkt. 6",
        },
        "operated_by": "employer",
        "usage_policy": {
            "expected_use": (
                "Bruges kun til første sortering i opslag med mere end 50 ansøgere. Må ikke bruges til "
                "interne omplaceringer, forfremmelser eller afskedigelser. Leverandørens modul til "
                "videointerview med automatisk vurdering er ikke købt."
            ),
            "guideline_ref": NORDLYS_AI_POLICY,
        },
        "training": {
            "provided": False,
            "description": (
                "Planlagt: kursus for rekrutteringskonsulenter i automatiseringsbias og i at læse modellens "
                "forklaringer."
            ),
        },
        "time_savings": {
            "expected_hours_per_week": 10,
            "freed_time_use": "Mere tid til samtaler og til personlig tilbagemelding til ansøgere.",
        },
        "contact": {"name": "Rasmus Thygesen, HR-chef", "email": "rasmus.thygesen@nordlys-energi.dk"},
    },
    "revisions": [
        (
            "DPIA gennemført; tillidsrepræsentanter og medarbejdere informeret før ibrugtagning jf. "
            "AI-forordningens art. 26(7); status ændret fra planlagt til pilot i rekrutteringer til "
            "Kundeservice",
            {
                "status": "pilot",
                "go_live_at": "2025-11-03",
                "dpia": {"status": "done", "date": "2025-10-06", "reference": "DPIA HR 2025-03 TalentSort"},
                "workers_informed_at": "2025-10-13",
                "employee_notice_ref": (
                    "Information til medarbejdere og ansøgere om AI i rekruttering, version 1"
                ),
                "consultation": {
                    "committee": "SU",
                    "informed_at": "2025-06-10",
                    "discussed_at": "2025-08-26",
                    "decided_at": "2025-09-30",
                    "minutes_ref": "SU-referat 30.09.2025, pkt. 2",
                },
                "training": {
                    "provided": True,
                    "description": (
                        "Kursus for rekrutteringskonsulenter og ansættende ledere i automatiseringsbias, "
                        "modellens forklaringer og ansøgeres rettigheder."
                    ),
                    "hours_per_employee": 7,
                },
                "human_oversight": {
                    "description": (
                        "En rekrutteringskonsulent gennemgår mindst de 30 højest rangerede og en stikprøve "
                        "af de øvrige ansøgninger i hver rekruttering og kan altid tilsidesætte rangeringen."
                    ),
                    "overseer_role": "Senior rekrutteringskonsulent",
                    "trained": True,
                },
            },
        ),
        (
            "Pilotevaluering: ingen skævhed på køn eller alder fundet i 14 rekrutteringer; status ændret fra "
            "pilot til i drift og udvidet til chaufførstillinger efter drøftelse i SU 24. februar 2026",
            {
                "status": "in_use",
                "unit_ids": ["hr", "kundeservice", "transport"],
                "consultation": {
                    "committee": "SU",
                    "informed_at": "2025-06-10",
                    "discussed_at": "2026-02-24",
                    "decided_at": "2026-02-24",
                    "minutes_ref": "SU-referat 24.02.2026, pkt. 3",
                },
            },
        ),
        (
            "Tilføjet realiseret tidsbesparelse efter første kvartal i drift",
            {
                "time_savings": {
                    "expected_hours_per_week": 10,
                    "realised_hours_per_week": 7.5,
                    "realised_at": "2026-06-01",
                    "freed_time_use": (
                        "Mere tid til samtaler og personlig tilbagemelding; alle ansøgere til samtale får nu "
                        "mundtlig begrundelse ved afslag."
                    ),
                },
            },
        ),
    ],
}

_TELEMATICS_DESCRIPTION = (
    "Siden marts 2025 planlægger speditøren Baltic Freight Forwarding ApS Nordlys' levering af træpiller og "
    "fyringsolie til erhvervskunder og havneterminaler. Speditørens platform tildeler chaufførerne ruter og "
    "tidsvinduer ved terminalerne og lægger dem løbende om efter lastbilens position, trafik og kø ved "
    "terminalen. Chaufføren får opgaverne på en tablet i førerhuset. Platformen måler, om tidsvinduerne "
    "overholdes, og registrerer tomgang{braking}. Nordlys er arbejdsgiver, men speditøren styrer i praksis "
    "dele af arbejdets tilrettelæggelse."
)

TELEMATICS: dict[str, Any] = {
    "fields": {
        "name": "Speditørens telematik og tidsvinduer for chauffører",
        "vendor": "Fleetpuls ApS",
        "product": "Fleetpuls Dispatch",
        "description": _TELEMATICS_DESCRIPTION.format(braking=" og hårde opbremsninger"),
        "purpose": (
            "At udnytte lastbilerne bedre og undgå ventetid ved terminalerne, som i 2024 var op til 1,5 time "
            "pr. tur."
        ),
        "operational_reason": (
            "Aftalen med den nye terminaloperatør kræver, at alle leveringer bookes i tidsvinduer via "
            "speditørens platform; uden platformen kan Nordlys ikke levere til terminalen."
        ),
        "category": "automation",
        "control_measure": True,
        "status": "in_use",
        "unit_ids": ["transport"],
        "affected_groups": ["Chauffører i Transport og levering", "Disponenter"],
        "affected_headcount": 64,
        "data_categories": ["identification", "location", "device_usage", "work_performance", "behaviour"],
        "data_sources": [
            "GPS og telematikenhed i lastbilen",
            "Chaufførens tablet (log ind, kvitteringer)",
            "Terminalens bookingsystem",
            "Nordlys' vagtplan",
        ],
        "access": [
            {
                "role": "Speditørens planlæggere",
                "scope": "individual",
                "purpose": "Position og status i arbejdstiden til tildeling af tidsvinduer.",
            },
            {
                "role": "Disponent i Nordlys",
                "scope": "individual",
                "purpose": "Dagens ruter og afvigelser for egne chauffører.",
            },
            {
                "role": "Transportchef i Nordlys",
                "scope": "aggregate",
                "purpose": "Overholdelse af tidsvinduer og tomgang pr. rute, ikke pr. chauffør.",
            },
        ],
        "retention": {
            "period_days": 90,
            "description": (
                "Positionsdata slettes hos speditøren efter 90 dage jf. aftalen mellem Nordlys og "
                "speditøren. Data til dokumentation af køre- og hviletid følger de særlige regler herfor."
            ),
        },
        "log_retention_days": 183,
        "legal_basis": "legitimate_interests",
        "automated_decision": "fully_automated",
        "significant_effect": False,
        "human_oversight": {
            "description": (
                "Nordlys' disponent kan afvise en tildeling, der strider mod køre- og hviletidsreglerne "
                "eller chaufførens vagtplan; speditøren skal så planlægge om."
            ),
            "overseer_role": "Disponent i Nordlys",
            "trained": False,
        },
        "contest_channel": (
            "Chaufføren kan afvise et tidsvindue i tabletten med en begrundelse (fx hviletid). Tvister "
            "løftes af tillidsrepræsentanten over for transportchefen, som tager dem op med speditøren."
        ),
        "ai_act": {"risk_class": "unknown", "emotion_recognition": False},
        "dpia": {"status": "screened", "date": "2025-02-20", "reference": "Screening Transport 2025-02"},
        # Short notice under the exception: the terminal operator imposed the platform at three weeks' notice.
        "notice": {
            "given_at": "2025-03-03",
            "audience": "Alle chauffører i Transport og levering",
            "text_ref": "Mundtlig orientering 03.03.2025; skriftlig varsling af 14.03.2025",
            "exception_reason": (
                "Terminaloperatøren indførte med tre ugers varsel krav om booking via speditørens platform "
                "fra 10. marts 2025. Uden platformen kunne Nordlys ikke levere til terminalen, og "
                "leverancerne til to fjernvarmekunder ville stoppe midt i fyringssæsonen (tvingende "
                "driftsmæssige hensyn). Varslingsfristen på 6 uger kunne derfor ikke overholdes; skriftlig "
                "varsling blev givet så hurtigt som muligt."
            ),
            "late_notice_at": "2025-03-14",
        },
        "consultation": {
            "committee": "SU",
            "informed_at": "2025-03-04",
            "discussed_at": "2025-04-08",
            "decided_at": "2025-04-08",
            "minutes_ref": "SU-referat 08.04.2025, pkt. 2 (ekstraordinært punkt)",
        },
        "workers_informed_at": "2025-03-14",
        "employee_notice_ref": "Varsling og medarbejderinformation om speditørens telematik, version 1",
        "go_live_at": "2025-03-10",
        "operated_by": "third_party",
        "operator_name": "Baltic Freight Forwarding ApS",
        "training": {
            "provided": True,
            "description": "En times instruktion i tabletten og i at afvise tidsvinduer for alle chauffører.",
            "hours_per_employee": 1,
        },
        "time_savings": {
            "expected_hours_per_week": 30,
            "freed_time_use": (
                "Mindre ventetid ved terminalen. Aftalt med tillidsrepræsentanten, at sparet ventetid ikke "
                "omsættes til flere ture pr. vagt uden forhandling."
            ),
        },
        "apv_last_assessed_at": "2024-06-12",
        "contact": {"name": "Kim Bach Nielsen, transportchef", "email": "kim.bach@nordlys-energi.dk"},
    },
    "revisions": [
        (
            "Risikoklasse afklaret: platformen tildeler opgaver og måler den enkelte chaufførs adfærd og "
            "præstation og er derfor højrisiko efter AI-forordningens bilag III, pkt. 4(b); DPIA gennemført",
            {
                "ai_act": {
                    "risk_class": "high_risk",
                    "annex_iii_point": "4(b)",
                    "profiling": True,
                    "emotion_recognition": False,
                },
                "dpia": {
                    "status": "done",
                    "date": "2025-05-26",
                    "reference": "DPIA Transport 2025-02 Fleetpuls",
                },
            },
        ),
        (
            "APV for chaufførerne revideret efter klager over tidspres ved terminalen; disponenterne er "
            "trænet i at afvise tidsvinduer, der strider mod hviletid",
            {
                "apv_last_assessed_at": "2025-06-17",
                "human_oversight": {
                    "description": (
                        "Nordlys' disponent kan afvise en tildeling, der strider mod køre- og "
                        "hviletidsreglerne eller chaufførens vagtplan; speditøren skal så planlægge om. "
                        "Disponenterne gennemgår dagligt afviste tidsvinduer."
                    ),
                    "overseer_role": "Disponent i Nordlys",
                    "trained": True,
                },
            },
        ),
        (
            "Hårde opbremsninger fjernet fra de data, speditøren modtager, efter forhandling i SU 7. oktober "
            "2025; chaufførerne rangeres ikke længere efter kørestil",
            {
                "description": _TELEMATICS_DESCRIPTION.format(braking=""),
                "data_categories": ["identification", "location", "device_usage", "work_performance"],
            },
        ),
    ],
}

# =====================================================================================================
# 4. Tilskudsstyrelsen (state agency, state SU)
# =====================================================================================================

TILSKUD_UNITS: list[dict[str, Any]] = [
    {"key": "su", "name": "Samarbejdsudvalget, Tilskudsstyrelsen", "committee": "state-SU", "headcount": 230},
    {"key": "tilskud", "name": "Tilskudsadministration", "parent": "su", "headcount": 140},
    {"key": "it", "name": "IT og Digitalisering", "parent": "su", "headcount": 35},
]

MAIL_ROUTING: dict[str, Any] = {
    "fields": {
        "name": "Automatisk journalisering og fordeling af indgående post",
        "vendor": "Arkivlogik ApS",
        "product": "Postfordeler",
        "description": (
            "Modellen læser indgående post fra Digital Post og styrelsens fællespostkasse, foreslår "
            "sagsnummer og dokumenttype og fordeler henvendelsen til det rette team. Forslag med høj "
            "sikkerhed journaliseres automatisk; forslag med lav sikkerhed godkendes af en "
            "journaliseringsmedarbejder. Systemet fordeler til teams, ikke til enkelte medarbejdere, og "
            "måler ikke den enkeltes sagsbehandlingstid."
        ),
        "purpose": (
            "At frigøre tid fra manuel journalisering og få henvendelser hurtigere frem til rette team."
        ),
        "operational_reason": (
            "Styrelsen modtager ca. 85.000 henvendelser om året. Fem årsværk bruges på journalisering, og "
            "henvendelser ligger i gennemsnit to arbejdsdage i fællespostkassen."
        ),
        "category": "automation",
        "control_measure": False,
        "status": "planned",
        "unit_ids": ["tilskud"],
        "affected_groups": [
            "Journaliseringsmedarbejdere",
            "Sagsbehandlere i Tilskudsadministration",
            "Ansøgere, der skriver til styrelsen",
        ],
        "affected_headcount": 145,
        "data_categories": ["identification", "contact_details", "communications", "financial"],
        "data_sources": ["Digital Post og fællespostkassen", "ESDH-systemets sagsoversigt"],
        "access": [
            {
                "role": "Journaliseringsmedarbejder",
                "scope": "individual",
                "purpose": "Godkender forslag med lav sikkerhed.",
            },
            {
                "role": "Kontorchef",
                "scope": "aggregate",
                "purpose": "Antal henvendelser pr. team og andel automatisk journaliseret.",
            },
        ],
        "retention": {
            "description": (
                "Modellen gemmer ikke henvendelser; dokumenterne opbevares i ESDH-systemet efter arkivlovens "
                "regler."
            ),
        },
        "log_retention_days": 180,
        "legal_basis": "public_task",
        "automated_decision": "fully_automated",
        "significant_effect": False,
        "human_oversight": {
            "description": (
                "En journaliseringsmedarbejder gennemgår dagligt en stikprøve af de automatisk "
                "journaliserede dokumenter."
            ),
            "overseer_role": "Journaliseringsmedarbejder",
            "trained": False,
        },
        "ai_act": {"risk_class": "minimal", "profiling": False, "emotion_recognition": False},
        "dpia": {"status": "screened", "date": "2026-09-14", "reference": "Screening TS-2026-05"},
        "consultation": {
            "committee": "state-SU",
            "informed_at": "2026-08-27",
            "minutes_ref": "SU-referat 27.08.2026, pkt. 5",
        },
        "operated_by": "employer",
        "training": {
            "provided": False,
            "description": (
                "Planlagt: en halv dags oplæring for journaliseringsmedarbejdere før ibrugtagning."
            ),
        },
        "time_savings": {
            "expected_hours_per_week": 70,
            "freed_time_use": (
                "Aftales i SU. Ledelsen har oplyst, at ingen stillinger nedlægges som følge af systemet, og "
                "at frigjort tid bruges til hurtigere sagsbehandling og telefonbetjening."
            ),
        },
        "contact": {
            "name": "Birgitte Aagaard, kontorchef, Digitalisering",
            "email": "biaa@tilskudsstyrelsen.dk",
        },
    },
    "revisions": [
        (
            "Drøftet i SU 29. oktober 2026: medarbejdersiden bad om en skriftlig redegørelse og om, at "
            "tidsbesparelsen opgøres, før opgaver omfordeles",
            {
                "consultation": {
                    "committee": "state-SU",
                    "informed_at": "2026-08-27",
                    "discussed_at": "2026-10-29",
                    "minutes_ref": "SU-referat 29.10.2026, pkt. 3",
                },
            },
        ),
        (
            "APV-kortlægning for journaliseringsteamet gennemført før ibrugtagning",
            {"apv_last_assessed_at": "2026-11-10"},
        ),
    ],
}

# =====================================================================================================
# The organizations, in the order they are seeded
# =====================================================================================================

DEMO_ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "domain": "fjordby-kommune.dk",
        "fields": {
            "name": "Fjordby Kommune",
            "cvr": "29813744",
            "sector": "public",
            "cooperation_body": "MED",
            "notice_period_days": 42,
            "maturity_level": "ai_practitioner",
        },
        "units": FJORDBY_UNITS,
        "steward_units": ["hjemmepleje"],
        "systems": [ROUTE_PLANNER, ROAD_CAMERA, JOB_ASSISTANT],
    },
    {
        "domain": "region-oesterdal.dk",
        # A local agreement with a longer notice period than the default six weeks.
        "fields": {
            "name": "Region Østerdal",
            "cvr": "31648254",
            "sector": "public",
            "cooperation_body": "MED",
            "notice_period_days": 56,
            "maturity_level": "ai_explorer",
        },
        "units": OSTERDAL_UNITS,
        "steward_units": ["radiologi"],
        "systems": [XRAY_TRIAGE],
    },
    {
        "domain": "nordlys-energi.dk",
        "fields": {
            "name": "Nordlys Energi & Service A/S",
            "cvr": "38521918",
            "sector": "private",
            "cooperation_body": "SU",
            "notice_period_days": 42,
            "maturity_level": "ai_accelerator",
        },
        "units": NORDLYS_UNITS,
        "steward_units": ["kundeservice"],
        "systems": [CALL_QA, CV_SCREENING, TELEMATICS],
    },
    {
        "domain": "tilskudsstyrelsen.dk",
        "fields": {
            "name": "Tilskudsstyrelsen",
            "cvr": "43176625",
            "sector": "public",
            "cooperation_body": "state-SU",
            "notice_period_days": 42,
            "maturity_level": "ai_observer",
        },
        "units": TILSKUD_UNITS,
        "steward_units": ["tilskud"],
        "systems": [MAIL_ROUTING],
    },
]


# =====================================================================================================
# Seeding
# =====================================================================================================


async def database_is_empty() -> bool:
    """True when no organization exists: the demo data set is only added to an empty register."""
    return await Organization.count() == 0


def _with_unit_ids(fields: dict[str, Any], unit_ids: dict[str, str]) -> dict[str, Any]:
    if "unit_ids" not in fields:
        return fields
    return {**fields, "unit_ids": [unit_ids[key] for key in fields["unit_ids"]]}


async def _seed_system(admin: Actor, org_id: str, spec: dict[str, Any], unit_ids: dict[str, str]) -> None:
    stored = await systems.register_system(
        admin,
        org_id,
        SystemFields.model_validate(_with_unit_ids(spec["fields"], unit_ids)),
        change_note=spec.get("note", DEFAULT_REGISTRATION_NOTE),
    )
    system_id = stored.document["id"]
    revisions: list[Revision] = spec["revisions"]
    for note, changes in revisions:
        stored = await systems.update_system(
            admin, system_id, _with_unit_ids(changes, unit_ids), if_match=[stored.version], change_note=note
        )


async def _seed_organization(spec: dict[str, Any]) -> DemoOrganization:
    org = await organizations.create_organization(
        PLATFORM_ADMIN, OrganizationFields.model_validate(spec["fields"])
    )
    admin = Actor(sub=f"hr@{spec['domain']}", role=Role.employer_admin, org=org["id"])
    unit_ids: dict[str, str] = {}
    for unit in spec["units"]:  # parents are listed before their children
        parent = unit.get("parent")
        created = await units.create_unit(
            admin,
            org["id"],
            UnitFields(
                name=unit["name"],
                parent_id=unit_ids[parent] if parent else None,
                committee=unit.get("committee"),
                headcount=unit.get("headcount"),
            ),
        )
        unit_ids[unit["key"]] = created["id"]
    for system in spec["systems"]:
        await _seed_system(admin, org["id"], system, unit_ids)
    return DemoOrganization(
        id=org["id"],
        name=org["name"],
        unit_ids=unit_ids,
        steward_units=[unit_ids[key] for key in spec["steward_units"]],
    )


async def seed_demo() -> DemoData:
    """Create the demo organizations, units and AI systems, with revisions. Call only when empty."""
    return DemoData(organizations=[await _seed_organization(spec) for spec in DEMO_ORGANIZATIONS])
