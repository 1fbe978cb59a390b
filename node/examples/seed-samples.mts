// The two request bodies of Qualys's "Create a Registry Schedule" page, verbatim (nulls
// included), as `ScheduleRequest` values: `tsc --strict` (node/test.sh) must accept both.
import type { ScheduleRequest } from '../index.js'

export const seedCreatedDate: ScheduleRequest = {
  "filters": [
    {
      "days": 90,
      "repoTags": [
        {
          "repo": "azuretest",
          "tag": null
        }
      ]
    }
  ],
  "name": "Automatic Scan Schedule",
  "onDemand": false,
  "schedule": "06:55",
  "forceScan": true,
  "registryType": "Azure",
  "scheduleIntervalInDays": 7,
  "additionalFilters": null,
  "weekDay": "THURSDAY"
}

export const seedLatestTags: ScheduleRequest = {
  "filters": [
    {
      "days": null,
      "repoTags": [
        {
          "repo": "azuretest",
          "tag": null
        }
      ]
    }
  ],
  "name": "Automatic Scan Schedule",
  "onDemand": false,
  "schedule": "09:30",
  "forceScan": true,
  "registryType": "Azure",
  "scheduleIntervalInDays": 7,
  "additionalFilters": {
    "numberOfTags": 5,
    "sortCriteria": "createdDate"
  },
  "weekDay": "THURSDAY"
}
