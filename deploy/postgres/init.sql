-- First-start initialisation of the Phaseout PostgreSQL (docker-entrypoint-initdb.d runs it
-- once, as the superuser, on an empty data directory only).
-- One login role owns all six databases; each service connects to its own database only.
-- The role's password comes from the container's DB_PASSWORD (psql 15+ \getenv) so that it
-- never sits in git. If DB_PASSWORD is unset, :'phaseout_password' stays unexpanded, the
-- statement fails and (ON_ERROR_STOP) so does the init.
\getenv phaseout_password DB_PASSWORD
CREATE ROLE phaseout LOGIN PASSWORD :'phaseout_password';

-- OWNER: on PostgreSQL 15+ only the database owner may create tables in `public`, and the
-- services apply their own Alembic migrations at start.
CREATE DATABASE phaseout_coordinator OWNER phaseout;
CREATE DATABASE phaseout_energy OWNER phaseout;
CREATE DATABASE phaseout_environment OWNER phaseout;
CREATE DATABASE phaseout_quality OWNER phaseout;
CREATE DATABASE phaseout_safety OWNER phaseout;
CREATE DATABASE phaseout_technology OWNER phaseout;
