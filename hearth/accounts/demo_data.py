"""Demo data for the Riverbend Valley care network; everything in it is fictional."""

NETWORKS = [
    {
        "slug": "riverbend-valley",
        "name": "Riverbend Valley Care Network",
        "region": "Riverbend Valley",
        "description": (
            "A regional network of community groups, peer supporters, cooperatives, survivor-led "
            "enterprises and public partners across Riverbend, Millbrook, Cedar Falls, Harlow and "
            "Eastgate. Members share one directory, make consented referrals that close the loop, "
            "and decide together how community funding is spent."
        ),
    },
    {
        "slug": "eastgate-coalition",
        "name": "Eastgate Survivor Coalition",
        "region": "Eastgate",
        "description": (
            "A small coalition of Eastgate neighbours, advocates and peer supporters who meet "
            "monthly, decide by consensus, and make sure survivors in the east of the valley can "
            "find housing, work and company close to home."
        ),
    },
]

ORGANIZATIONS = [
    {
        "slug": "riverbend-valley-hub",
        "name": "Riverbend Valley Community Hub",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "The regional hub that hosts the Riverbend Valley Care Network. We convene members, "
            "keep the shared directory current, run community-led funding rounds and offer "
            "training in trauma-informed practice to anyone in the valley."
        ),
        "website": "https://riverbendhub.example",
        "email": "hello@riverbendhub.example",
        "phone": "555-0101",
        "town": "Riverbend",
    },
    {
        "slug": "silverthread-studio",
        "name": "Silverthread Studio",
        "kind": "social_enterprise",
        "networks": ["riverbend-valley"],
        "description": (
            "A survivor-led jewelry studio where makers design, craft and sell their own pieces "
            "and share in the profits. Paid apprenticeships, flexible hours and a team that "
            "never asks anyone to tell their story to belong."
        ),
        "website": "https://silverthread.example",
        "email": "hello@silverthread.example",
        "phone": "555-0102",
        "town": "Millbrook",
    },
    {
        "slug": "willow-commons-therapy",
        "name": "Willow Commons Therapy Cooperative",
        "kind": "worker_cooperative",
        "networks": ["riverbend-valley"],
        "description": (
            "A worker-owned cooperative of counselors offering trauma-sensitive, person-centered "
            "therapy on a sliding scale. Every member has an equal say, decisions are made by "
            "consensus, and the cooperative's books are open to all members."
        ),
        "website": "https://willowcommons.example",
        "email": "hello@willowcommons.example",
        "phone": "555-0103",
        "town": "Riverbend",
    },
    {
        "slug": "harbor-house",
        "name": "Harbor House",
        "kind": "victim_service",
        "networks": ["riverbend-valley"],
        "description": (
            "Safe emergency shelter and advocacy for people leaving domestic violence, and their "
            "children and pets. Confidential location, contact through the helpline; advocates "
            "answer day and night and help people plan next steps on their own terms."
        ),
        "website": "https://harborhouse.example",
        "email": "hello@harborhouse.example",
        "phone": "555-0104",
        "town": "Riverbend Valley",
    },
    {
        "slug": "kindred-peer-network",
        "name": "Kindred Peer Support Network",
        "kind": "peer_support",
        "networks": ["riverbend-valley", "eastgate-coalition"],
        "description": (
            "Trained peer supporters with lived experience who walk alongside people for as long "
            "as they want company. Weekly circles, one-to-one check-ins and a warm line staffed "
            "by peers every evening."
        ),
        "website": "https://kindredpeers.example",
        "email": "hello@kindredpeers.example",
        "phone": "555-0105",
        "town": "Cedar Falls",
    },
    {
        "slug": "valley-legal-aid",
        "name": "Riverbend Valley Legal Aid",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "Free legal help with protection orders, housing, immigration, benefits and clearing "
            "old records. Lawyers and paralegals explain every option in plain language and the "
            "client always makes the decisions."
        ),
        "website": "https://valleylegalaid.example",
        "email": "hello@valleylegalaid.example",
        "phone": "555-0106",
        "town": "Riverbend",
    },
    {
        "slug": "open-door-housing",
        "name": "Open Door Housing First",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "A housing-first program that helps people move straight into a home of their own, "
            "with no preconditions. Support workers visit as often as each tenant wants and help "
            "them build the life they choose around that home."
        ),
        "website": "https://opendoorhousing.example",
        "email": "hello@opendoorhousing.example",
        "phone": "555-0107",
        "town": "Harlow",
    },
    {
        "slug": "millbrook-food-bank",
        "name": "Millbrook Community Food Bank",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "A choice-based food bank where neighbours shop for what their household likes to "
            "eat, with no paperwork beyond a first name. Fresh produce comes from local farms and "
            "the Cedar Falls garden."
        ),
        "website": "https://millbrookfood.example",
        "email": "hello@millbrookfood.example",
        "phone": "555-0108",
        "town": "Millbrook",
    },
    {
        "slug": "cedar-falls-commons-garden",
        "name": "Cedar Falls Commons Garden",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "A community garden with shared and private plots, a tool library and seasonal "
            "cooking workshops. Anyone can drop in to plant, harvest or simply sit in a quiet "
            "green place."
        ),
        "website": "https://cedarfallsgarden.example",
        "email": "hello@cedarfallsgarden.example",
        "phone": "555-0109",
        "town": "Cedar Falls",
    },
    {
        "slug": "lanternworks-arts",
        "name": "Lanternworks Arts Collective",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "An artist-run collective offering open studio time, printmaking, music and "
            "storytelling workshops. Members exhibit and sell their work together and decide "
            "the season's program as a group."
        ),
        "website": "https://lanternworks.example",
        "email": "hello@lanternworks.example",
        "phone": "555-0110",
        "town": "Harlow",
    },
    {
        "slug": "pathways-workforce",
        "name": "Pathways Workforce Training",
        "kind": "community_based",
        "networks": ["riverbend-valley", "eastgate-coalition"],
        "description": (
            "Paid training in trades, bookkeeping, food service and digital skills, with "
            "childcare and bus fare covered. Participants set their own goals and are matched "
            "with employers who have committed to dignified, trauma-aware workplaces."
        ),
        "website": "https://pathwaysworkforce.example",
        "email": "hello@pathwaysworkforce.example",
        "phone": "555-0111",
        "town": "Eastgate",
    },
    {
        "slug": "common-ground-mediation",
        "name": "Common Ground Restorative Mediation",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "Volunteer mediators who facilitate restorative conversations between neighbours, "
            "families, tenants and workplaces. The focus is on repair, responsibility and what "
            "each person needs to move forward."
        ),
        "website": "https://commongroundmediation.example",
        "email": "hello@commongroundmediation.example",
        "phone": "555-0112",
        "town": "Riverbend",
    },
    {
        "slug": "riverside-youth-studio",
        "name": "Riverside Youth Studio",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "An after-school and summer program where young people aged 11 to 18 make music, "
            "build bikes, get homework help and eat a hot meal together. Youth sit on the "
            "steering group and help choose what the studio offers."
        ),
        "website": "https://riversideyouth.example",
        "email": "hello@riversideyouth.example",
        "phone": "555-0113",
        "town": "Eastgate",
    },
    {
        "slug": "harlow-interfaith-centre",
        "name": "Harlow Interfaith Community Centre",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "A centre shared by several faith communities that opens its doors to everyone, of "
            "any faith or none. Community meals, a clothing exchange, quiet rooms and meeting "
            "space for peer groups."
        ),
        "website": "https://harlowinterfaith.example",
        "email": "hello@harlowinterfaith.example",
        "phone": "555-0114",
        "town": "Harlow",
    },
    {
        "slug": "clearwater-advocacy-centre",
        "name": "Clearwater Sexual Assault Advocacy Centre",
        "kind": "victim_service",
        "networks": ["riverbend-valley", "eastgate-coalition"],
        "description": (
            "Advocates who support survivors of sexual violence with information, accompaniment "
            "to medical and legal appointments, and ongoing support groups. Survivors choose "
            "what happens next, and services are free and confidential."
        ),
        "website": "https://clearwateradvocacy.example",
        "email": "hello@clearwateradvocacy.example",
        "phone": "555-0115",
        "town": "Eastgate",
    },
    {
        "slug": "riverbend-county-public-health",
        "name": "Riverbend County Public Health Department",
        "kind": "public_agency",
        "networks": ["riverbend-valley"],
        "description": (
            "The county public-health department, offering free clinics, vaccinations, home "
            "visits for new parents and community health workers in every town. It partners "
            "with the network on shared, privacy-safe measures of community well-being."
        ),
        "website": "https://riverbendcountyhealth.example",
        "email": "hello@riverbendcountyhealth.example",
        "phone": "555-0116",
        "town": "Riverbend",
    },
    {
        "slug": "valley-college-research-lab",
        "name": "Riverbend Valley Community College Research Lab",
        "kind": "academic_partner",
        "networks": ["riverbend-valley"],
        "description": (
            "A community-based participatory research lab at the local community college. It "
            "co-designs evaluations with network members and publishes only aggregate results "
            "that community partners have reviewed."
        ),
        "website": "https://rvcc-research.example",
        "email": "hello@rvcc-research.example",
        "phone": "555-0117",
        "town": "Cedar Falls",
    },
    {
        "slug": "valley-community-foundation",
        "name": "Riverbend Valley Community Foundation",
        "kind": "funder",
        "networks": ["riverbend-valley"],
        "description": (
            "A community foundation that funds local groups through participatory grant rounds "
            "where residents decide together where the money goes. It offers multi-year, "
            "flexible funding and light reporting."
        ),
        "website": "https://valleyfoundation.example",
        "email": "hello@valleyfoundation.example",
        "phone": "555-0118",
        "town": "Riverbend",
    },
    {
        "slug": "spoke-and-wheel",
        "name": "Spoke & Wheel Bicycle Cooperative",
        "kind": "worker_cooperative",
        "networks": ["riverbend-valley"],
        "description": (
            "A worker-owned bicycle repair shop that refurbishes donated bikes and teaches repair "
            "skills. New worker-owners train on the job, and anyone can earn a bike by "
            "volunteering in the shop."
        ),
        "website": "https://spokeandwheel.example",
        "email": "hello@spokeandwheel.example",
        "phone": "555-0119",
        "town": "Millbrook",
    },
    {
        "slug": "second-pour-cafe",
        "name": "Second Pour Café",
        "kind": "social_enterprise",
        "networks": ["riverbend-valley"],
        "description": (
            "A neighbourhood café that employs and trains survivors as baristas, cooks and "
            "shift leads, with fair wages and predictable schedules. Profits fund a savings "
            "match for every staff member."
        ),
        "website": "https://secondpour.example",
        "email": "hello@secondpour.example",
        "phone": "555-0120",
        "town": "Riverbend",
    },
    {
        "slug": "eastgate-tenants-union",
        "name": "Eastgate Tenants Union",
        "kind": "community_based",
        "networks": ["eastgate-coalition"],
        "description": (
            "A member-run tenants union where renters organize together for safe, affordable "
            "homes. Members learn their rights, support each other through repairs and "
            "disputes, and negotiate with landlords as a group."
        ),
        "website": "https://eastgatetenants.example",
        "email": "hello@eastgatetenants.example",
        "phone": "555-0121",
        "town": "Eastgate",
    },
    {
        "slug": "puente-language-coop",
        "name": "Puente Language Cooperative",
        "kind": "worker_cooperative",
        "networks": ["riverbend-valley", "eastgate-coalition"],
        "description": (
            "A worker-owned cooperative of interpreters and translators working in Spanish, "
            "Haitian Creole, Vietnamese, Arabic and sign language. Members interpret in person "
            "or by phone so people can get help in the language they think in."
        ),
        "website": "https://puentelanguage.example",
        "email": "hello@puentelanguage.example",
        "phone": "555-0122",
        "town": "Cedar Falls",
    },
    {
        "slug": "new-leaf-recovery",
        "name": "New Leaf Recovery Community Centre",
        "kind": "peer_support",
        "networks": ["riverbend-valley"],
        "description": (
            "A recovery community centre run by and for people in recovery, welcoming every "
            "pathway. Recovery coaches, all-recovery meetings, a sober social calendar and a "
            "friendly place to have coffee."
        ),
        "website": "https://newleafrecovery.example",
        "email": "hello@newleafrecovery.example",
        "phone": "555-0123",
        "town": "Millbrook",
    },
    {
        "slug": "valley-mutual-aid",
        "name": "Riverbend Valley Mutual Aid",
        "kind": "community_based",
        "networks": ["riverbend-valley"],
        "description": (
            "A neighbour-to-neighbour mutual-aid network sharing rides, groceries, childcare and "
            "small emergency funds. Everyone gives what they can and asks for what they need, "
            "no questions asked."
        ),
        "website": "https://valleymutualaid.example",
        "email": "hello@valleymutualaid.example",
        "phone": "555-0124",
        "town": "Riverbend",
    },
    {
        "slug": "eastgate-neighbours-pantry",
        "name": "Eastgate Neighbours Pantry",
        "kind": "community_based",
        "networks": ["eastgate-coalition"],
        "description": (
            "A volunteer-run pantry and free fridge on the east side, open evenings and weekends. "
            "Neighbours stock it, neighbours use it, and the weekly soup night is open to all."
        ),
        "website": "https://eastgatepantry.example",
        "email": "hello@eastgatepantry.example",
        "phone": "555-0125",
        "town": "Eastgate",
    },
]

USERS = [
    {
        "email": "amara@hearth.example",
        "full_name": "Amara Okafor",
        "language": "en",
        "memberships": [("riverbend-valley-hub", "admin")],
        "coordinates": ["riverbend-valley"],
        "summary": "Network coordinator and hub admin",
    },
    {
        "email": "keisha@hearth.example",
        "full_name": "Keisha Morrow",
        "language": "en",
        "memberships": [("clearwater-advocacy-centre", "admin")],
        "coordinates": ["eastgate-coalition"],
        "summary": "Eastgate coalition coordinator and advocacy centre admin",
    },
    {
        "email": "hyunwoo@hearth.example",
        "full_name": "Hyun-woo Park",
        "language": "en",
        "memberships": [("willow-commons-therapy", "admin")],
        "coordinates": [],
        "summary": "Therapy cooperative member-admin",
    },
    {
        "email": "leila@hearth.example",
        "full_name": "Leila Haddad",
        "language": "en",
        "memberships": [("willow-commons-therapy", "practitioner")],
        "coordinates": [],
        "summary": "Counselor at the therapy cooperative",
    },
    {
        "email": "naomi@hearth.example",
        "full_name": "Naomi Fitzgerald",
        "language": "en",
        "memberships": [("harbor-house", "practitioner")],
        "coordinates": [],
        "summary": "Advocate at the domestic-violence shelter",
    },
    {
        "email": "sam@hearth.example",
        "full_name": "Sam Whitehorse",
        "language": "en",
        "memberships": [
            ("kindred-peer-network", "peer_supporter"),
            ("new-leaf-recovery", "peer_supporter"),
        ],
        "coordinates": [],
        "summary": "Peer supporter at the peer network and the recovery centre",
    },
    {
        "email": "meilin@hearth.example",
        "full_name": "Mei Lin Chen",
        "language": "en",
        "memberships": [("silverthread-studio", "admin")],
        "coordinates": [],
        "summary": "Admin of the survivor-led jewelry studio",
    },
    {
        "email": "david@hearth.example",
        "full_name": "David Adeyemi",
        "language": "en",
        "memberships": [("valley-legal-aid", "practitioner")],
        "coordinates": [],
        "summary": "Staff attorney at legal aid",
    },
    {
        "email": "ingrid@hearth.example",
        "full_name": "Ingrid Solberg",
        "language": "en",
        "memberships": [("valley-college-research-lab", "viewer")],
        "coordinates": [],
        "summary": "Researcher (read-only) at the college research lab",
    },
    {
        "email": "lucia@hearth.example",
        "full_name": "Lucía Hernández",
        "language": "es",
        "memberships": [("puente-language-coop", "practitioner")],
        "coordinates": [],
        "summary": "Spanish-speaking interpreter at the language cooperative",
    },
]

DEMO_PASSWORD = "hearth-demo-2026"

SUPERUSER = {"email": "admin@hearth.example", "full_name": "Site Operator", "language": "en"}
