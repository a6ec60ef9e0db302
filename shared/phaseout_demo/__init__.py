"""Demo data set of Fuling enterprises and the 2020 findings of the five bureaus."""
