module bullpen.local/pause

go 1.25
