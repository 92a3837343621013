"""National data instead of paper (Resolution 66.7/2025): connectors to the published
national databases, as plugins behind one interface (`base.Connector`), chosen per database
by settings (`registry`). `contrib.demo` answers from seeded rows, `contrib.http` speaks a
documented HTTP JSON protocol (docs/data-store.md). Nothing here knows of dossiers: the
dossier service `dossiers.services.datastore.dossier_component_from_national_data` calls
`national_record_fetch` and keeps what it returns."""
