console.log("FIXTURE APP BUNDLE");
